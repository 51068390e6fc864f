#!/usr/bin/env sh
# Roll out a release: run its migrations first (the Job, with the new image), wait for them, then update the
# Deployments, which keep serving the previous release until the new pods are ready.
# Usage: deploy/kubernetes/rollout.sh overlays/production
set -eu
cd "$(dirname "$0")"
overlay="${1:?usage: rollout.sh overlays/<name>}"
rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$overlay" >"$rendered"
namespace=$(awk '/^kind: Namespace/{found=1} found && /^  name:/{print $2; exit}' "$rendered")
# The namespace, configuration, policies and autoscalers (everything without a component) first,
kubectl apply -f "$rendered" --selector '!app.kubernetes.io/component'
# then the migrations of the new release,
kubectl -n "$namespace" delete job paperclerk-migrate --ignore-not-found
kubectl apply -f "$rendered" --selector app.kubernetes.io/component=migrate
kubectl -n "$namespace" wait --for=condition=complete job/paperclerk-migrate --timeout=30m
# then the rest: a rolling update that never goes below the current capacity.
kubectl apply -f "$rendered"
for deployment in paperclerk-api paperclerk-worker paperclerk-ocr-worker; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=15m
done
