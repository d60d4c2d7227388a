# Atlas des tiers-lieux, production image: the layout of `make serve` in one container
# (nginx from Debian's packages in front of one Streamlit process per core, supervised by
# `python -m serve`). Build: docker build -t atlas-tiers-lieux . ; run: see compose.yaml.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 atlas

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=atlas:atlas . .
USER atlas
# Where `make refresh` writes (a volume in compose.yaml): owned by the app's user.
RUN mkdir -p data/local
# The validated Atlas, read back in 0.06 s by every process at start (geo/io/snapshot.py).
RUN python -c "from geo.io.atlas import data_version, load_atlas; from geo.io.snapshot import load_or_build; load_or_build('atlas', data_version(), load_atlas)"

# Listen on every interface of the container; the Streamlit processes stay on 127.0.0.1.
ENV ATLAS_ADDRESS=0.0.0.0 \
    PORT=8501
EXPOSE 8501

HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# SIGTERM stops nginx then the Streamlit processes; SIGHUP restarts them one at a time.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "serve", "--run-dir", "/tmp/atlas-serve"]
