#!/usr/bin/env bash
# Fetch the pinned nhsuk-frontend (package.json, package-lock.json) from the npm registry and copy
# its built stylesheet, script and images into bot/web/static/nhsuk/. The copied files are
# committed, so running Cradle needs neither npm nor a CDN. Run again after changing the pin.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work"/
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

package="$work/node_modules/nhsuk-frontend"
dist="$package/dist/nhsuk"
version=$(node -p "require('$package/package.json').version")
out=bot/web/static/nhsuk

rm -rf "$out"
mkdir -p "$out/assets"
# The stylesheet loads the Frutiger web font from assets.nhs.uk: drop it (no CDN; the font
# stack falls back to Arial) and point the icons at our own copy.
sed -e 's#@font-face{[^}]*}##g' \
    -e 's#url(/assets/#url(/static/nhsuk/assets/#g' \
    -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
    "$dist/nhsuk-frontend.min.css" > "$out/nhsuk-frontend.min.css"
sed -e 's#//\# sourceMappingURL=.*##' "$dist/nhsuk-frontend.min.js" > "$out/nhsuk-frontend.min.js"
cp -R "$dist/assets/images" "$out/assets/"

if grep -q 'assets\.nhs\.uk' "$out/nhsuk-frontend.min.css"; then
  echo "build_frontend: the stylesheet still refers to assets.nhs.uk" >&2
  exit 1
fi
cat > "$out/VERSION" <<NOTE
nhsuk-frontend $version (MIT licence, NHS England), from the npm registry.
Built by scripts/build_frontend.sh: do not edit these files by hand.
NOTE
echo "nhsuk-frontend $version copied into $out"
