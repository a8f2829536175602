"""Stand-in meme pictures: one drawing function per meme slug (see ``scripts/draw_memes.py``)."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from . import classic, comics, comparisons, creatures, reactions, screens

DRAWERS: dict[str, Callable[[], Image.Image]] = {
    "meme-torch-log-negative": classic.draw_torch_log,
    "meme-finetune-cat": classic.draw_finetune_cat,
    "meme-floor-is-lava": classic.draw_floor_is_lava,
    "meme-emoji-fully-connected": classic.draw_emoji_fully_connected,
    "meme-xgboost-kaggle": classic.draw_xgboost_kaggle,
    "meme-car-salesman": classic.draw_car_salesman,
    "meme-stack-more-layers": reactions.draw_stack_more_layers,
    "meme-gpu-go-brrr": reactions.draw_gpu_go_brrr,
    "meme-is-this-ai": reactions.draw_is_this_ai,
    "meme-always-has-been-matrix-multiplication": reactions.draw_always_has_been,
    "meme-ai-just-if-statements": reactions.draw_ai_just_if_statements,
    "meme-train-vs-test-accuracy": reactions.draw_train_vs_test_accuracy,
    "meme-more-data": comparisons.draw_more_data,
    "meme-expanding-brain-linear-regression": comparisons.draw_expanding_brain,
    "meme-logistic-regression-is-a-neuron": comparisons.draw_logistic_regression_is_a_neuron,
    "meme-tensorflow-vs-pytorch": comparisons.draw_tensorflow_vs_pytorch,
    "meme-xkcd-machine-learning": comics.draw_xkcd_machine_learning,
    "meme-graduate-student-descent": comics.draw_graduate_student_descent,
    "meme-my-model-is-training": comics.draw_my_model_is_training,
    "meme-xkcd-correlation": comics.draw_xkcd_correlation,
    "meme-schmidhuber-did-it-first": comics.draw_schmidhuber_did_it_first,
    "meme-restart-kernel-run-all": comics.draw_restart_kernel_run_all,
    "meme-data-cleaning-80-percent": screens.draw_data_cleaning_80_percent,
    "meme-all-you-need": screens.draw_all_you_need,
    "meme-kaggle-shakeup": screens.draw_kaggle_shakeup,
    "meme-cuda-out-of-memory": screens.draw_cuda_out_of_memory,
    "meme-strawberry-letter-count": screens.draw_strawberry_letter_count,
    "meme-hot-dog-not-hot-dog": screens.draw_hot_dog_not_hot_dog,
    "meme-lecun-cake": screens.draw_lecun_cake,
    "meme-shoggoth": creatures.draw_shoggoth,
    "meme-stochastic-parrot": creatures.draw_stochastic_parrot,
    "meme-chihuahua-or-muffin": creatures.draw_chihuahua_or_muffin,
    "meme-deepdream-puppyslugs": creatures.draw_deepdream_puppyslugs,
    "meme-tank-detector-legend": creatures.draw_tank_detector_legend,
}
"""Meme slug → function drawing its picture."""
