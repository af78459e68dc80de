# wine.sh: sourced by the scripts that run Windows programs under Wine.
# One private prefix under build/, one persistent wineserver for the whole run,
# stopped (for this prefix only) when the calling script exits.
# IPCX_WINEPREFIX picks another prefix (make bench uses its own).
WINEPREFIX="${IPCX_WINEPREFIX:-$(pwd)/build/wineprefix}"
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
mkdir -p "$WINEPREFIX"
wine_stop() { wineserver -k >/dev/null 2>&1 || true; }
trap wine_stop EXIT
trap 'wine_stop; exit 130' INT TERM
wineserver -p 2>/dev/null || true   # already running for this prefix: fine
# Create the prefix once, its output to a file: Wine's services inherit stdout
# and would hold a pipe open forever.
timeout 300 wine cmd /c exit 0 >build/wineprefix.log 2>&1 || true

# wine_run SECONDS OUTFILE PROGRAM ARGS...: run under Wine, \r stripped, status kept.
wine_run() {
  _wr_secs=$1 _wr_out=$2
  shift 2
  _wr_status=0
  timeout "$_wr_secs" wine "$@" >"$_wr_out.raw" 2>&1 || _wr_status=$?
  tr -d '\r' <"$_wr_out.raw" >"$_wr_out"
  rm -f "$_wr_out.raw"
  return $_wr_status
}
