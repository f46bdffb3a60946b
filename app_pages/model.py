"""Model page: train a model in the app, audit predictions already in the file, or bring a
model saved with skops; then see how it performs on the test split, overall and by group."""

from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st

from fairlab.errors import FairLabError
from fairlab.model_io import UntrustedTypesError, inspect_skops, load_skops, untrusted_type_notes
from fairlab.models import MODEL_NAMES, ModelConfig, model_spec
from fairlab.performance import calibration_by_group, roc_curve_by_group
from fairlab.plots.performance import calibration_chart, confusion_matrix_chart, roc_chart
from fairlab.split import SplitConfig
from fairlab_ui import cache, state
from fairlab_ui.glossary_links import glossary_links
from fairlab_ui.params import param_widget
from fairlab_ui.predictions import (
    SPEC_FIRST,
    PredictionSource,
    active_source,
    file_source,
    prediction_set,
)
from fairlab_ui.render import md, show_choice_warnings, show_error, stop_page

SOURCE_TRAIN = "Train a model here"
SOURCE_FILE = "Predictions already in the file"
SOURCE_SKOPS = "Bring your own model (skops file)"

st.title("Model")
st.caption(
    "Get the predictions to audit: train a classic scikit-learn model on a stratified split, "
    "use predictions or scores already in your file, or load a model saved with skops."
)

dataset = state.active_dataset()
spec = state.current_spec()
problems = cache.validate_spec(dataset.key, spec, dataset.frame) if dataset and spec else []
if dataset is None or spec is None or any(p.severity == "error" for p in problems):
    st.info(SPEC_FIRST, icon=":material/info:")
    st.page_link("app_pages/data.py", label="Go to the Data page", icon=":material/table:")
    stop_page()
frame = dataset.frame
# A choice on the Data page that no longer fits (a threshold outside the scores), first.
show_choice_warnings(problems)


def _trained_here() -> dict[str, PredictionSource]:
    """The models trained in this session on this dataset, by label, oldest first."""
    return {
        label: source
        for label, source in st.session_state.get(state.TRAINED, {}).items()
        if source.dataset_key == dataset.key
    }


def _on_source_change() -> None:
    """The user picked where predictions come from: audit the file's, or the model picked
    before among those trained here."""
    picked_source = state.choice(state.MODEL_SOURCE)
    if picked_source == SOURCE_FILE:
        st.session_state[state.PREDICTIONS] = file_source(dataset, spec)
    elif picked_source == SOURCE_TRAIN:
        picked = _trained_here().get(state.choice(state.MODEL_ACTIVE))
        if picked is not None:
            st.session_state[state.PREDICTIONS] = picked


def _on_model_picked(key: str) -> None:
    """The user picked a model to audit among those trained here."""
    state.commit(key)
    st.session_state[state.PREDICTIONS] = _trained_here()[st.session_state[key]]


sources = [SOURCE_TRAIN, SOURCE_SKOPS]
if spec.has_predictions:
    sources.insert(0, SOURCE_FILE)
choice = st.radio(
    "Where the predictions come from",
    sources,
    **state.show(state.MODEL_SOURCE, sources[0], sources, then=_on_source_change),
    horizontal=True,
)


def _split_form(prefix: str) -> SplitConfig:
    cols = st.columns(2)
    test_size = cols[0].slider(
        "Share of rows kept for testing",
        0.1,
        0.5,
        0.3,
        0.05,
        key=f"{prefix}_test_size",
        help="The model learns from the rest; every number below is measured on the test rows.",
    )
    seed = cols[1].number_input("Seed", 0, 2**31 - 1, 0, key=f"{prefix}_seed")
    return SplitConfig(test_size=float(test_size), random_state=int(seed))


if choice == SOURCE_FILE:
    described = []
    if spec.prediction_column:
        positives = ", ".join(str(v) for v in spec.prediction_positive)
        described.append(
            f"predictions in **{md(spec.prediction_column)}** (positive: {md(positives)})"
        )
    if spec.score_column:
        described.append(f"scores in **{md(spec.score_column)}** (threshold {spec.threshold:g})")
    st.markdown("Auditing " + " and ".join(described) + ", on every row of the file.")

elif choice == SOURCE_TRAIN:
    if not spec.features:
        st.info("Choose feature columns on the Data page to train a model.", icon=":material/info:")
        stop_page()
    titles = {name: model_spec(name).title for name in MODEL_NAMES}
    name = st.selectbox(
        "Model",
        MODEL_NAMES,
        format_func=titles.__getitem__,
        **state.show(state.MODEL_NAME, MODEL_NAMES[0]),
    )
    zoo = model_spec(name)
    st.caption(zoo.description)
    with st.form("model_train_form", border=True):
        params = {}
        columns = st.columns(max(1, len(zoo.params)))
        for column, param in zip(columns, zoo.params, strict=False):
            with column:
                params[param.name] = param_widget(param, f"model_param_{name}_{param.name}")
        split = _split_form("model")
        submitted = st.form_submit_button("Train", type="primary", icon=":material/model_training:")
    if submitted:
        try:
            config = ModelConfig(
                name, params=tuple(params.items()), random_state=split.random_state
            )
            source = PredictionSource(
                kind="model",
                dataset_key=dataset.key,
                spec=spec,
                split=split,
                model=config,
                label=f"{config.title} ({', '.join(f'{k}={v}' for k, v in params.items())})",
            )
            prediction_set(source, frame)
        except FairLabError as exc:
            show_error(str(exc))
        else:
            # A model just trained is the one audited, until the user picks another.
            label = source.label + f", test {split.test_size:.0%}, seed {split.random_state}"
            trained = st.session_state.setdefault(state.TRAINED, {})
            trained.pop(label, None)
            trained[label] = source
            st.session_state[state.PREDICTIONS] = source
            state.set_choice(state.MODEL_ACTIVE, label)

else:
    st.caption(
        "FairLab never unpickles an upload. Save your scikit-learn model with "
        "`skops.io.dump(model, 'model.skops')`; FairLab lists any type it does not trust by "
        "default and loads the file only if you accept them."
    )
    upload = st.file_uploader("Model file (.skops)", type=["skops"], key="model_skops_upload")
    split = _split_form("model_skops")
    if upload is not None:
        raw = upload.getvalue()
        skops_key = "skops:" + hashlib.sha256(raw).hexdigest()
        try:
            untrusted = inspect_skops(raw, name=upload.name)
        except FairLabError as exc:
            show_error(str(exc))
            untrusted = None
        if untrusted is not None:
            accepted = True
            if untrusted:
                st.warning(
                    md(
                        f"This file holds {len(untrusted)} type(s) that are not trusted by "
                        "default. Loading runs their code: accept them only if you know where "
                        "the file comes from."
                    ),
                    icon=":material/warning:",
                )
                notes = untrusted_type_notes(untrusted)
                st.dataframe(
                    [{"type": t, "note": notes.get(t, "")} for t in untrusted], hide_index=True
                )
                accepted = st.checkbox("I trust these types", key="model_skops_accept")
            if st.button("Load the model", key="model_skops_load", disabled=not accepted):
                try:
                    loaded = load_skops(
                        raw, trusted=untrusted, positive_label=spec.positive_label, name=upload.name
                    )
                except (UntrustedTypesError, FairLabError) as exc:
                    show_error(str(exc))
                else:
                    st.session_state[state.SKOPS_MODEL] = (skops_key, loaded)
                    source = PredictionSource(
                        kind="skops",
                        dataset_key=dataset.key,
                        spec=spec,
                        split=split,
                        skops_key=skops_key,
                        label=f"uploaded model {upload.name}",
                    )
                    try:
                        prediction_set(source, frame)
                    except FairLabError as exc:
                        show_error(str(exc))
                    else:
                        st.session_state[state.PREDICTIONS] = source


trained = _trained_here()
if len(trained) > 1:
    st.subheader("Models trained in this session")
    rows = []
    for label, trained_source in trained.items():
        try:
            measured = prediction_set(dataclasses.replace(trained_source, spec=spec), frame)
        except FairLabError as exc:
            st.caption(f"{md(label)}: {md(str(exc))}")
            continue
        perf = measured.performance
        rows.append(
            {
                "model": label,
                "accuracy": perf.accuracy,
                "balanced accuracy": perf.balanced_accuracy,
                "ROC AUC": perf.roc_auc,
                "F1": perf.f1,
            }
        )
    st.dataframe(rows, hide_index=True)
    audited = st.session_state.get(state.PREDICTIONS)
    shown = next((label for label, s in trained.items() if s == audited), None)
    st.session_state[state.MODEL_ACTIVE] = shown
    st.selectbox(
        "Model to audit",
        list(trained),
        key=state.MODEL_ACTIVE,
        on_change=_on_model_picked,
        args=(state.MODEL_ACTIVE,),
        placeholder="Choose a model (the predictions audited now are not one of these)",
        help="A model just trained becomes the one audited on every page.",
    )

source = active_source()
if source is None:
    stop_page()
predictions = prediction_set(source, frame)
performance = predictions.performance

st.header(f"Performance: {md(source.label)}", divider="gray")
where = "every row of the file" if source.kind == "file" else "the test split"
st.caption(f"Measured on {where}: {predictions.data.n_rows:,} rows.")
metric_cols = st.columns(4)
for column, (label, value) in zip(
    metric_cols,
    [
        ("Accuracy", performance.accuracy),
        ("Balanced accuracy", performance.balanced_accuracy),
        ("F1", performance.f1),
        ("ROC AUC", performance.roc_auc),
    ],
    strict=True,
):
    column.metric(label, "undefined" if value != value else f"{value:.3f}")
table_col, matrix_col = st.columns(2, gap="large")
with table_col:
    st.dataframe(
        performance.table()[["label", "value", "note"]],
        hide_index=True,
        column_config={"value": st.column_config.NumberColumn(format="%.4f")},
    )
with matrix_col:
    st.plotly_chart(
        cache.cached_figure(
            ("model-confusion", source), lambda: confusion_matrix_chart(performance.confusion)
        ),
        key="model_confusion",
    )

if predictions.y_score is not None:
    attribute = st.selectbox(
        "Curves by group of", predictions.data.attributes, key="model_curve_attribute"
    )
    groups = predictions.data.groups(attribute)
    roc_col, calibration_col = st.columns(2, gap="large")
    with roc_col:
        st.plotly_chart(
            cache.cached_figure(
                ("model-roc", source, attribute),
                lambda: roc_chart(
                    roc_curve_by_group(predictions.data.y_true, predictions.y_score, groups)
                ),
            ),
            key="model_roc",
        )
    with calibration_col:
        try:
            calibration = cache.cached_figure(
                ("model-calibration", source, attribute),
                lambda: calibration_chart(
                    calibration_by_group(predictions.data.y_true, predictions.y_score, groups)
                ),
            )
        except FairLabError as exc:
            # Scores that are not probabilities (a decile score) have no calibration curve.
            st.caption(md(str(exc)))
        else:
            st.plotly_chart(calibration, key="model_calibration")
else:
    st.caption("No scores: ROC and calibration curves need a score or probability per row.")
glossary_links(
    [
        "accuracy",
        "positive_predictive_value",
        "true_positive_rate",
        "false_positive_rate",
        "calibration",
    ]
)
st.page_link("app_pages/fairness.py", label="Assess fairness", icon=":material/balance:")
