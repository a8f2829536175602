# memebot: the Telegram bot with its index and router model built into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MEMEBOT_HOME=/data \
    MEMEBOT_KNOWLEDGE=/data/knowledge

# Tesseract OCR with Russian and English data for reading meme pictures (Debian's current builds).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 memebot
WORKDIR /app

# CPU-only torch first, from PyTorch's CPU index, so the pinned 2.13.0 never pulls CUDA wheels.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY indexer ./indexer
COPY router ./router
COPY demos ./demos
COPY bot ./bot
RUN pip install .

# The notes live in the volume too: approved community memes are written there and must survive restarts.
COPY --chown=memebot:memebot knowledge /data/knowledge
RUN chown memebot:memebot /data
USER 10001
# Build the index and train the router at image build time (both land under MEMEBOT_HOME).
RUN memebot index build --no-progress && memebot router train --no-progress

VOLUME ["/data"]
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-m", "bot.telegram.healthcheck"]

CMD ["memebot", "serve"]
