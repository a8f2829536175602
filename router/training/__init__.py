"""Router training: fine-tuning, baselines and export. Imports torch and sklearn; serving never imports this package."""
