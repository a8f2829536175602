"""Long-lived services (retriever, router, demo runner) loaded once and shared by the surfaces.

The retriever can be hot-swapped: :meth:`Services.refresh_index` reloads when the index's
``current`` link points at a new version (after an approval rebuilds the index, or in another replica).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer import AnswerPipeline
from bot.answer.decision import Decider, RuleDecider, load_decider
from indexer.build import current_version_dir
from indexer.search import Retriever

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """What the answer pipeline needs; built by :func:`load_services`."""

    retriever: Retriever
    router: Any | None = None
    demo_specs: list[Any] = field(default_factory=list)
    index_root: Path | None = None
    home: Path = Path("var")
    decider: Decider = field(default_factory=RuleDecider)
    _runner: Any | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pipeline: tuple[tuple[Any, ...], AnswerPipeline] | None = None  # the parts it was built on, and it

    @property
    def pipeline(self) -> AnswerPipeline:
        """The answer pipeline over the current parts: one per set of parts, so that what it derives
        from the notes once (the demos' names, their titles' common words) is not derived per answer.
        A swapped index or router gets a new one."""
        parts = (self.retriever, self.router, self.decider, *self.demo_specs)
        built = self._pipeline
        if (
            built is None
            or len(built[0]) != len(parts)
            or any(a is not b for a, b in zip(built[0], parts, strict=True))
        ):
            pipeline = AnswerPipeline(
                self.retriever, router=self.router, demos=self.demo_specs, decider=self.decider
            )
            built = self._pipeline = (parts, pipeline)
        return built[1]

    @property
    def demo_runner(self) -> Any:
        """The demo worker, started on first use (it imports torch in a child process)."""
        with self._lock:
            if self._runner is None:
                from demos.worker import DemoRunner

                self._runner = DemoRunner()
            return self._runner

    def refresh_index(self) -> bool:
        """Load the serving index version if it changed; returns True when swapped."""
        if self.index_root is None:
            return False
        target = current_version_dir(self.index_root)
        if target == self.retriever.version_dir:
            return False
        fresh = Retriever(target, self.retriever.encoder)
        self.retriever = fresh  # one reference assignment: readers see the old or the new index
        logger.info("index hot-swapped to %s", fresh.version)
        return True

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None


def load_services(home: Path, with_router: bool = True) -> Services:
    """Load the retriever (and the router when its model exists) from ``home``.

    The router loads in a thread beside the retriever: its onnxruntime session and tokenizer are
    built in native code that releases the GIL, so on 2 cores a cold start saves most of their time.
    """
    from demos.registry import list_demos

    index_root = home / "index"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="router-load") as pool:
        router_loading = pool.submit(_load_router, home / "router") if with_router else None
        retriever = Retriever.load(index_root)
        router = router_loading.result() if router_loading is not None else None
    if router is not None:
        router.share_encoder(retriever.encoder)
    decider = (
        load_decider(home) if router is not None else RuleDecider()
    )  # the model was fitted on router output
    return Services(
        retriever=retriever,
        router=router,
        demo_specs=list_demos(),
        index_root=index_root,
        home=home,
        decider=decider,
    )


def _load_router(model_dir: Path) -> Any | None:
    from router.infer import RouterMissingError, load_router

    try:
        return load_router(model_dir)
    except RouterMissingError as exc:
        logger.warning("%s; answering without intent routing", exc)
        return None
