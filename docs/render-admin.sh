#!/usr/bin/env bash
# Redraws docs/admin.png, the operations page (docs/operations.md): the browser test drives /admin in Debian's headless
# Chromium against the service and the FHIR server of the tests (a dead letter, its history open, a dry run of a
# filter) and saves the page where FHIRMMN_ADMIN_PNG says. Needs dotnet, node (npm ci) and chromium; no network.
set -euo pipefail
cd "$(dirname "$0")/.."
FHIRMMN_ADMIN_PNG="$PWD/docs/admin.png" dotnet test tests/FhirMmn.Service.Tests \
  --filter "FullyQualifiedName~AdminPageTests.A_bundle_the_fhir_server_refused_is_found_on_the_page" -nologo
echo "docs/admin.png redrawn"
