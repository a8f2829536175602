"""Intent routing: training data, fine-tuning and inference with confidence."""
