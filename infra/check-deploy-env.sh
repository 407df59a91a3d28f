#!/usr/bin/env bash
# Run by azure-pipelines.yml before the what-if and the deployment: the two values main.bicepparam reads from
# the environment must have come through. A pipeline variable that is not defined reaches a step as its own
# literal text, "$(FhirClientSecret)", which would otherwise be written to the vault as the secret.
set -euo pipefail

fail() {
  echo "##vso[task.logissue type=error]$1"
  echo "$1" >&2
  exit 1
}

case "${FHIRMMN_IMAGE:-}" in
  "" | '$('*) fail "FHIRMMN_IMAGE is not set: the Image stage did not hand over the image it pushed." ;;
esac

if [[ -z "${FHIRMMN_FHIR_CLIENT_SECRET+set}" ]]; then
  fail "FHIRMMN_FHIR_CLIENT_SECRET is not in the environment of this step."
fi
case "$FHIRMMN_FHIR_CLIENT_SECRET" in
  '$('*) fail "FhirClientSecret is not defined in the variable group fhirmmn-deploy (define it as a secret; empty keeps the secret already in the vault)." ;;
esac

echo "Image: $FHIRMMN_IMAGE; FHIR client secret: $([[ -n "$FHIRMMN_FHIR_CLIENT_SECRET" ]] && echo given || echo 'not given, the vault keeps its own')."
