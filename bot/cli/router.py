"""``memebot router train|eval``: fine-tune the intent router and compare it with the baselines."""

from __future__ import annotations

import json

import click

from bot.cli.context import UserFacingGroup, pass_settings
from bot.config import Settings


@click.group(cls=UserFacingGroup)
def router() -> None:
    """The intent router (e5's top layers fine-tuned + frozen USE and e5 vectors; served by onnxruntime)."""


@router.command("train")
@click.option(
    "--seed", default=0, show_default=True, help="Random seed (training is deterministic for a seed)."
)
@click.option("--epochs", default=None, type=click.IntRange(1, 50), help="Epochs (default from the recipe).")
@click.option(
    "--logreg-share",
    default=None,
    type=click.FloatRange(0.0, 1.0),
    help="Share of the logistic regression on the frozen vectors in the output (default from the recipe; 0 = the transformer alone).",
)
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1, 64),
    help="torch threads (default from the recipe: 2). One thread spends ~12% less CPU and ~25% more time; "
    "the weights differ in the last bits.",
)
@click.option("--if-needed", is_flag=True, help="Only train when the model is missing or the data changed.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_settings
def router_train(
    settings: Settings,
    seed: int,
    epochs: int | None,
    logreg_share: float | None,
    threads: int | None,
    if_needed: bool,
    progress: bool | None,
) -> None:
    """Train on the stratified split, report held-out metrics and baselines, save under MEMEBOT_HOME."""
    # Imported here, not at the top: training pulls in torch, which the group's --help should not pay for.
    from router.metrics import format_side_by_side
    from router.training.train import TrainConfig, needs_training, train_router

    router_dir = settings.router_dir

    if if_needed:
        reason = needs_training(router_dir, epochs=epochs or TrainConfig().epochs)
        if reason is None:
            click.echo(f"router model is up to date ({router_dir})")
            return
        click.echo(f"training router: {reason}")
    config = TrainConfig(seed=seed)
    if epochs:
        config.epochs = epochs
    if logreg_share is not None:
        config.logreg_share = logreg_share
    if threads:
        config.threads = threads
    result = train_router(config, out_dir=router_dir, progress=progress)
    click.echo(format_side_by_side([result.report, *result.baselines]))
    t = result.thresholds
    click.echo(
        f"confidence thresholds: p ≥ {t.min_confidence:.3f}, margin ≥ {t.min_margin:.2f} "
        f"(held-out: {t.coverage:.1%} accepted, {t.accepted_accuracy:.1%} of those correct)"
    )
    click.echo(f"trained in {result.seconds:.0f} s → {result.model_dir}")


@router.command("eval")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@pass_settings
def router_eval(settings: Settings, as_json: bool) -> None:
    """Held-out per-intent P/R/F1, macro-F1 and confusion matrix, beside both baselines."""
    import numpy as np

    from router.data import INTENTS, load_examples, stratified_split
    from router.infer import load_router
    from router.metrics import classification_report, format_confusion, format_side_by_side
    from router.training.features import Featurizer
    from router.training.train import evaluate_baselines

    model = load_router(settings.router_dir)
    cfg = model.meta["config"]
    train, test = stratified_split(load_examples(), cfg["test_fraction"], cfg["seed"])
    texts = [e.text for e in test]
    probs = model.scores(texts)
    report = classification_report(
        "fine-tuned router", [e.intent for e in test], [INTENTS[i] for i in np.argmax(probs, 1)]
    )
    baselines = evaluate_baselines(train, test, Featurizer(model.sentence_encoder), cfg["seed"])
    if as_json:
        click.echo(json.dumps([r.to_json() for r in (report, *baselines)], indent=2))
        return
    click.echo(
        f"held-out split: {len(test)} questions (seed {cfg['seed']}, {cfg['test_fraction']:.0%} of each intent)"
    )
    click.echo(format_side_by_side([report, *baselines]))
    click.echo("")
    click.echo(format_confusion(report))
    t = model.thresholds
    click.echo(f"\nconfidence thresholds: p ≥ {t.min_confidence:.3f}, margin ≥ {t.min_margin:.2f}")
