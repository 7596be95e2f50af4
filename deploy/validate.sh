#!/usr/bin/env bash
# Validates deploy/*.yaml offline against Kubernetes' published OpenAPI schemas (the PyPI
# package kubernetes-validate ships them; no API server needed), and checks that the
# container file builds what the manifests run. Installs its tool into .venv-deploy once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-deploy"
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "kubernetes-validate==1.37.0"
fi
# --strict: unknown fields are errors, as a typo in a manifest should be.
"$venv/bin/kubernetes-validate" --strict --kubernetes-version 1.33.0 "$root"/deploy/*.yaml
grep -q 'COPY --from=build /src/target/release/ckptsim /usr/local/bin/ckptsim' "$root/deploy/Dockerfile"
grep -q 'image: ckptsim:latest' "$root/deploy/sweep-indexed-job.yaml"
echo "deploy: manifests valid"
