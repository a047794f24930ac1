# Sourced by build-image and standins/build: exports EXTRA_CA_CERTS, the PEM certificates that the
# builds' JDK (Maven fetching from Maven Central) trusts besides its own, for networks whose proxy
# re-signs TLS. They come from the files named in $DETECTOR_BUILD_CA_CERTS (space-separated), else
# from this host's locally added CA certificates (/usr/local/share/ca-certificates/*.crt, where
# Debian and Ubuntu keep them); none, usually. Only build stages use them (trust-ca-certs), never
# the detector image.
extra_ca_files=()
if [ -n "${DETECTOR_BUILD_CA_CERTS:-}" ]; then
  read -r -a extra_ca_files <<<"$DETECTOR_BUILD_CA_CERTS"
else
  for f in /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt; do
    [ -f "$f" ] && extra_ca_files+=("$f")
  done
fi
EXTRA_CA_CERTS=""
if [ "${#extra_ca_files[@]}" -gt 0 ]; then
  EXTRA_CA_CERTS="$(cat "${extra_ca_files[@]}")"
fi
export EXTRA_CA_CERTS
