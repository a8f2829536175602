"""Router training: fine-tuning, baselines and export. Imports torch, transformers and sklearn; serving never imports this package."""
