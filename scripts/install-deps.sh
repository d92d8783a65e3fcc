#!/usr/bin/env bash
# Installs what prospect needs from Debian 12's packages (as root). Skips apt when
# everything is present already, so repeated runs and CI are fast.
set -euo pipefail
# python3-sklearn only for the data set the tuning example trains on
# (/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv).
packages=(build-essential cmake libeigen3-dev libboost-dev libnlopt-dev libnlopt-cxx-dev
          doctest-dev nlohmann-json3-dev libcli11-dev libopenblas-dev liblapacke-dev
          python3-sklearn)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "install-deps: all dependencies present"
