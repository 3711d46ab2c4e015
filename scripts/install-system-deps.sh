#!/usr/bin/env bash
# The Debian packages the tests need: Chromium (Playwright e2e), Xvfb (screenshots of a real
# window where wanted), Prometheus + Alertmanager (promtool/amtool checks and the real-server
# alerting tests). Used by .ci/run and by the README's install command.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium xvfb prometheus prometheus-alertmanager >/dev/null
echo "system packages ready: $(chromium --version 2>/dev/null | head -1); $(promtool --version 2>&1 | head -1)"
