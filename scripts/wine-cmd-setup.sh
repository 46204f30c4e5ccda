#!/usr/bin/env bash
# scripts/wine-cmd-setup.sh - a calibrated, headless Windows cmd.exe for running .bat files in CI
# (Debian 12 amd64, run as root, noninteractive, idempotent). The windows test suite
# (test/windows/) runs the exported anaplan-connect.bat with it; .ci/run calls this once.
#
#  * Wine 8 runtime from bookworm (packages wine + wine64, no recommends, no X).
#  * cmd.exe and findstr.exe from Debian 13 (trixie) libwine (Wine 10), fetched with
#    a private apt configuration (the system's apt sources/lists are not touched),
#    their "Wine builtin DLL" marker cleared, placed in the prefix's system32 and
#    loaded as native with WINEDLLOVERRIDES=cmd.exe,findstr.exe=n. (Wine 8's own
#    findstr is a stub that finds nothing and exits 0, and the exported .bat reads
#    Anaplan Connect's log with findstr.)
#  * recorder.exe: tiny MinGW-w64 program writing GetCommandLineW() (UTF-8) to
#    $RECORD_FILE (or stdout) and exiting with $RECORD_EXIT.
#  * calibration probes with known Windows results; last line printed is
#    "cmd calibration: ok" or "cmd calibration: failed: <probe ids>", also written
#    to $WINE_CMD_ROOT/status.
#
# Exit code: 0 when set up (whether or not calibration passed: read the status
# line/file to decide between running and skipping the cmd tests), 1 when the setup
# itself failed (status file then says "cmd calibration: failed: setup: <step>").
# STRICT=1 makes a calibration failure exit 2.
#
# Environment knobs: WINE_CMD_ROOT (default /opt/wine-cmd), KEEP_DOWNLOADS=1 keeps
# the trixie .deb and package lists, LIBWINE_VERSION pins the trixie libwine version,
# CALIBRATE_WINE8=1 also runs every probe against Wine 8's builtin cmd (report only).
set -euo pipefail

ROOT=${WINE_CMD_ROOT:-/opt/wine-cmd}
[ "${CALIBRATE_WINE8:-0}" = 1 ] || CALIBRATE_WINE8=
PREFIX=$ROOT/prefix
TRIXIE_MIRROR=${TRIXIE_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
export DEBIAN_FRONTEND=noninteractive WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY
T0=$SECONDS
STEP=init

log() { printf '[setup-cmd %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$STEP" != "done" ]; then
    mkdir -p "$ROOT" && echo "cmd calibration: failed: setup: $STEP" > "$ROOT/status"
    echo "cmd calibration: failed: setup: $STEP (exit $rc)"
  fi
}
trap on_exit EXIT

[ "$(id -u)" -eq 0 ] || { echo "setup-cmd.sh: must run as root" >&2; exit 1; }
[ "$(dpkg --print-architecture)" = amd64 ] || { echo "setup-cmd.sh: amd64 only" >&2; exit 1; }
mkdir -p "$ROOT"

# ---------------------------------------------------------------- 1. packages
STEP=packages
PKGS=(wine wine64 gcc-mingw-w64-x86-64-win32)
missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$st" = installed ] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} (bookworm, --no-install-recommends)"
  apt-get update -qq || log "warning: apt-get update reported errors; trying the install anyway"
  apt-get install -y -q --no-install-recommends "${missing[@]}" > "$ROOT/apt-install.log" 2>&1 ||
    { tail -n 20 "$ROOT/apt-install.log" >&2; exit 1; }
  log "apt: $(grep -hE '^(Need to get|After this operation)' "$ROOT/apt-install.log" | tr '\n' ' ')"
else
  log "packages already installed: ${PKGS[*]}"
fi
log "$(wine --version) ; $(x86_64-w64-mingw32-gcc --version | head -n1)"

# ---------------------------------- 2. Wine 10 cmd.exe and findstr.exe from trixie
STEP=fetch-trixie-cmd
CMD10=$ROOT/cmd10/cmd.exe
FINDSTR10=$ROOT/cmd10/findstr.exe
if [ ! -s "$CMD10" ] || [ ! -s "$FINDSTR10" ] || ! (cd "$ROOT/cmd10" && sha256sum -c --quiet SHA256SUMS 2>/dev/null); then
  A=$ROOT/apt-trixie
  rm -rf "$A" "$ROOT/cmd10"
  mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/cache" "$A/deb" "$ROOT/cmd10"
  echo "deb [signed-by=$KEYRING] $TRIXIE_MIRROR trixie main" > "$A/sources.list"
  APT_PRIV=(-o "Dir::Etc::sourcelist=$A/sources.list" -o "Dir::Etc::sourceparts=-"
            -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache"
            -o "Dir::Cache::archives=$A/archives" -o "Acquire::Languages=none"
            -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64"
            -o "APT::Sandbox::User=root")
  log "private apt update (trixie main, lists in $A/lists)"
  if ! apt-get "${APT_PRIV[@]}" update -qq; then
    # trixie's InRelease is signed by the bookworm and trixie archive keys; an
    # outdated keyring is the only expected cause: refresh it from bookworm.
    log "private update failed; refreshing debian-archive-keyring and retrying"
    apt-get update -qq && apt-get install -y -qq debian-archive-keyring >/dev/null
    apt-get "${APT_PRIV[@]}" update -qq
  fi
  (cd "$A/deb" && apt-get "${APT_PRIV[@]}" download -qq "libwine${LIBWINE_VERSION:+=$LIBWINE_VERSION}")
  log "private apt state: $(du -sm "$A/lists" | cut -f1) MB of trixie package lists"
  deb=$(ls "$A"/deb/libwine_*_amd64.deb)
  log "downloaded $(basename "$deb") ($(du -m "$deb" | cut -f1) MB); extracting cmd.exe and findstr.exe only"
  members=./usr/lib/x86_64-linux-gnu/wine/x86_64-windows
  # --occurrence=1: tar stops once it has the members (seconds instead of unpacking
  # all 100 MB); dpkg-deb then dies of SIGPIPE, which is expected and ignored.
  mkdir -p "$ROOT/cmd10/x"
  { dpkg-deb --fsys-tarfile "$deb" 2>/dev/null || true; } |
    tar -x -C "$ROOT/cmd10/x" --occurrence=1 "$members/cmd.exe" "$members/findstr.exe"
  dpkg-deb -f "$deb" Version > "$ROOT/cmd10/libwine.version"
  for exe in cmd.exe findstr.exe; do
    orig=$ROOT/cmd10/x/$members/$exe
    [ "$(dd if="$orig" bs=1 skip=64 count=16 status=none)" = "Wine builtin DLL" ] ||
      { echo "unexpected DOS stub in trixie $exe" >&2; exit 1; }
    cp "$orig" "$ROOT/cmd10/$exe"
    # Wine treats a PE file carrying "Wine builtin DLL" at 0x40 as its own builtin
    # (and then loads /usr/lib/.../$exe of Wine 8 instead). Zero it: native.
    dd if=/dev/zero of="$ROOT/cmd10/$exe" bs=1 seek=64 count=16 conv=notrunc status=none
  done
  rm -rf "$ROOT/cmd10/x" "$ROOT/cmd10/cmd.exe.sha256"
  (cd "$ROOT/cmd10" && sha256sum cmd.exe findstr.exe > SHA256SUMS)
  [ "${KEEP_DOWNLOADS:-0}" = 1 ] || rm -rf "$A"
else
  log "Wine 10 cmd.exe and findstr.exe already present"
fi
log "cmd.exe and findstr.exe from libwine $(cat "$ROOT/cmd10/libwine.version"), marker cleared, sha256 $(grep -F cmd.exe "$ROOT/cmd10/SHA256SUMS" | cut -c1-16)..."
policy=$(apt-cache policy libwine wine 2>/dev/null || true)
case $policy in *trixie*) echo "system apt sees trixie: private apt configuration leaked" >&2; exit 1;; esac

# ---------------------------------------------------------------- 3. prefix
STEP=wineprefix
export WINEPREFIX=$PREFIX
if [ ! -f "$PREFIX/.setup-cmd-prefix-done" ]; then
  log "creating WINEPREFIX $PREFIX (wineboot -i, no Mono/Gecko)"
  rm -rf "$PREFIX"
  WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i >/dev/null 2>&1
  wineserver -w
  [ -f "$PREFIX/system.reg" ] || { echo "wineboot did not create $PREFIX" >&2; exit 1; }
  touch "$PREFIX/.setup-cmd-prefix-done"
fi
# One wineserver for the whole run: -p10 (number attached!) = stay 10 s after the
# last client; "-p 10" would mean "forever". Output of the first wine process goes
# to a file, never to a pipe read until EOF: the services it starts (services.exe,
# winedevice.exe, ...) inherit its Unix stderr and hold it until the server exits.
# A server already running for this prefix (a test run's stays 600 s after its last
# client) makes "wineserver -p10" exit 2: it is used as it is, and left running.
OWN_SERVER=
if wineserver -p10 2>/dev/null; then OWN_SERVER=1; else log "a wineserver is already running for $PREFIX: using it"; fi
for exe in cmd.exe findstr.exe; do
  if ! cmp -s "$ROOT/cmd10/$exe" "$PREFIX/drive_c/windows/system32/$exe"; then
    log "installing Wine 10 $exe into system32"
    install -m 0755 "$ROOT/cmd10/$exe" "$PREFIX/drive_c/windows/system32/$exe"
  fi
done
OVERRIDES="cmd.exe,findstr.exe=n"
export WINEDLLOVERRIDES=$OVERRIDES
WINEDEBUG=-all,+loaddll wine cmd /c "findstr /c:x nul" </dev/null >"$ROOT/loaddll.log" 2>&1 || true
for exe in cmd.exe findstr.exe; do
  if ! grep -q "system32\\\\\\\\$exe\" at [0-9A-Fa-f]*: native" "$ROOT/loaddll.log"; then
    echo "Wine did not load system32\\$exe as native:" >&2
    grep -i "$exe" "$ROOT/loaddll.log" >&2 || true
    exit 1
  fi
done
log "wine loads C:\\windows\\system32\\cmd.exe and findstr.exe as native (WINEDLLOVERRIDES=$OVERRIDES)"

# ---------------------------------------------------------------- 4. recorder
STEP=recorder
cat > "$ROOT/recorder.c.new" <<'RECORDER_C'
/*
 * recorder.exe - writes this process's exact command line (GetCommandLineW)
 * and exits with a chosen code.  No C runtime: nothing parses argv, so what
 * is written is byte-for-byte what the parent (cmd.exe) passed to CreateProcess.
 *
 *   RECORD_FILE  path of the file to write: the command line as UTF-8, no BOM,
 *                no trailing newline; the file is created or truncated.
 *                When unset, the command line plus "\n" goes to stdout.
 *   RECORD_EXIT  exit code, decimal, optional leading '-' (default 0).
 *
 * Build (Debian: gcc-mingw-w64-x86-64-win32):
 *   x86_64-w64-mingw32-gcc -Os -s -nostdlib -ffreestanding -fno-stack-protector \
 *     -e entry -o recorder.exe recorder.c -lkernel32
 */
#include <windows.h>

static int env_int(const wchar_t *name, int dflt)
{
    wchar_t buf[32];
    DWORD n = GetEnvironmentVariableW(name, buf, 32);
    if (n == 0 || n >= 32)
        return dflt;
    int neg = 0, v = 0;
    const wchar_t *p = buf;
    if (*p == L'-') { neg = 1; p++; }
    if (*p < L'0' || *p > L'9')
        return dflt;
    for (; *p >= L'0' && *p <= L'9'; p++)
        v = v * 10 + (*p - L'0');
    return neg ? -v : v;
}

void entry(void)
{
    HANDLE heap = GetProcessHeap();
    const wchar_t *cl = GetCommandLineW();
    int wlen = lstrlenW(cl);
    int code = env_int(L"RECORD_EXIT", 0);

    int blen = WideCharToMultiByte(CP_UTF8, 0, cl, wlen, NULL, 0, NULL, NULL);
    char *utf8 = HeapAlloc(heap, 0, (SIZE_T)blen + 1);
    if (!utf8)
        ExitProcess(120);
    if (wlen)
        WideCharToMultiByte(CP_UTF8, 0, cl, wlen, utf8, blen, NULL, NULL);

    DWORD need = GetEnvironmentVariableW(L"RECORD_FILE", NULL, 0);
    HANDLE out;
    DWORD written;
    if (need) {
        wchar_t *path = HeapAlloc(heap, 0, need * sizeof(wchar_t));
        if (!path || !GetEnvironmentVariableW(L"RECORD_FILE", path, need))
            ExitProcess(121);
        out = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ, NULL,
                          CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (out == INVALID_HANDLE_VALUE)
            ExitProcess(122);
        if (!WriteFile(out, utf8, (DWORD)blen, &written, NULL) || written != (DWORD)blen)
            ExitProcess(123);
        CloseHandle(out);
    } else {
        utf8[blen] = '\n';
        out = GetStdHandle(STD_OUTPUT_HANDLE);
        WriteFile(out, utf8, (DWORD)blen + 1, &written, NULL);
    }
    ExitProcess((UINT)code);
}
RECORDER_C
if cmp -s "$ROOT/recorder.c.new" "$ROOT/recorder.c" && [ -s "$ROOT/recorder.exe" ]; then
  rm -f "$ROOT/recorder.c.new"
  log "recorder.exe up to date"
else
  mv "$ROOT/recorder.c.new" "$ROOT/recorder.c"
  x86_64-w64-mingw32-gcc -Os -s -nostdlib -ffreestanding -fno-stack-protector \
    -e entry -o "$ROOT/recorder.exe" "$ROOT/recorder.c" -lkernel32
  log "built recorder.exe ($(stat -c %s "$ROOT/recorder.exe") bytes)"
fi

# ---------------------------------------------------------------- env file
cat > "$ROOT/env.sh" <<EOF
# source me: runs 'wine cmd /c ...' with the calibrated Wine 10 cmd.exe
export WINEPREFIX='$PREFIX'
export WINEDEBUG=-all
export WINEDLLOVERRIDES='$OVERRIDES'
export WINE_CMD_RECORDER='$ROOT/recorder.exe'
unset DISPLAY WAYLAND_DISPLAY
# Call once before tests that read wine's stderr through a pipe until EOF
# (\$(... 2>&1), Java's Process streams): the first wine process of a server
# starts Wine's services, which inherit its Unix stderr and hold it until the
# wineserver shuts down (+3 s per cold call, for ever under 'wineserver -p').
# This starts a server that stays \${1:-600} s after its last client and its
# services with stderr on /dev/null; later calls take ~0.2 s. End: wineserver -k
wine_cmd_warmup() { wineserver -p"\${1:-600}"; wine cmd /c "exit 0" </dev/null >/dev/null 2>&1; }
EOF

# ---------------------------------------------------------------- 5. calibration
STEP=calibration
CAL=$PREFIX/drive_c/calib          # C:\calib
rm -rf "$CAL"; mkdir -p "$CAL"
cp "$ROOT/recorder.exe" "$CAL/recorder.exe"
PROBES=()
# probe ID KIND EXIT DESCRIPTION  (batch text on fd 3, expected stdout on fd 4)
# KIND: req = must match Windows for "ok"; known = documented Wine difference,
# reported only. Recorder lines are compared after the program token ("REC:").
probe() {
  PROBES+=("$1"); eval "KIND_$1=\$2 EXIT_$1=\$3 DESC_$1=\$4"
  sed 's/$/\r/' <&3 > "$CAL/$1.bat"; cat <&4 > "$CAL/$1.expected"
}
probe r01 req 0 'value not expanded again: set A=%%B%% ; echo %A%' 3<<'B' 4<<'E'
@echo off
set "B=x"
set "A=%%B%%"
echo [%A%]
B
[%B%]
E
probe r02 req 0 'CALL second expansion, builtin: call echo %A%' 3<<'B' 4<<'E'
@echo off
set "B=x"
set "A=%%B%%"
call echo [%A%]
B
[x]
E
probe r03 req 0 'CALL second expansion, program: call prog %A% "%%B%%"' 3<<'B' 4<<'E'
@echo off
set "B=x"
set "A=%%B%%"
call "%~dp0recorder.exe" [%A%] "%%B%%"
B
REC:[x] "x"
E
probe r04 req 0 'program without CALL: no second expansion' 3<<'B' 4<<'E'
@echo off
set "B=x"
set "A=%%B%%"
"%~dp0recorder.exe" [%A%] "%%B%%"
B
REC:[%B%] "%B%"
E
probe r05 req 0 'carets, delayed expansion off' 3<<'B' 4<<'E'
@echo off
echo [a^^b]
echo "a^^b"
echo [a^&b]
B
[a^b]
"a^^b"
[a&b]
E
probe r06 req 0 'carets, delayed expansion on, no ! in line' 3<<'B' 4<<'E'
@echo off
setlocal EnableDelayedExpansion
echo [a^^b]
echo "a^b"
B
[a^b]
"a^b"
E
probe r07 req 0 'delayed expansion: !V!, lone ! dropped, carets in !values! kept' 3<<'B' 4<<'E'
@echo off
setlocal EnableDelayedExpansion
set "V=1"
set "C=a^b"
echo [!V!]
echo [Hello!]
echo [!C!]
B
[1]
[Hello]
[a^b]
E
mkdir -p "$CAL/a b&c"
sed 's/$/\r/' > "$CAL/a b&c/p.bat" <<'B'
@echo off
echo "%~dp0"
set "D=%~dp0"
setlocal EnableDelayedExpansion
echo [!D!]
B
probe r08 req 0 '%~dp0 of a batch in a folder with space and &' 3<<'B' 4<<'E'
@echo off
call "%~dp0a b&c\p.bat"
B
"C:\calib\a b&c\"
[C:\calib\a b&c\]
E
sed 's/$/\r/' > "$CAL/args.bat" <<'B'
@echo off
"%~dp0recorder.exe" %*
"%~dp0recorder.exe" "%~2" %3
B
probe r09 req 0 '%* and %~2 passed to a program' 3<<'B' 4<<'E'
@echo off
call "%~dp0args.bat" a "b c" "d&e"
B
REC:a "b c" "d&e"
REC:"b c" "d&e"
E
probe r10 req 3 'program exit code to %errorlevel%; exit /b 3 to wine exit status' 3<<'B' 4<<'E'
@echo off
set RECORD_EXIT=7
"%~dp0recorder.exe" >nul
echo [%errorlevel%]
exit /b 3
B
[7]
E
probe r11 req 0 '! is literal with delayed expansion off' 3<<'B' 4<<'E'
@echo off
set "X=a!b"
echo [a!b]
echo [%X%]
"%~dp0recorder.exe" "a!b" %X%
B
[a!b]
[a!b]
REC:"a!b" a!b
E
sed 's/$/\r/' > "$CAL/params.bat" <<'B'
@echo off
echo [%1][%2][%3][%4]
"%~dp0recorder.exe" %*
B
probe r12 req 0 'batch parameters split at space , ; = outside quotes; %* raw' 3<<'B' 4<<'E'
@echo off
call "%~dp0params.bat" a=b "c=d" e,f;g
B
[a][b]["c=d"][e]
REC:a=b "c=d" e,f;g
E
probe r13 req 0 'findstr /c: and /i: exit 0 when a string is found, 1 when not' 3<<'B' 4<<'E'
@echo off
>"%~dp0r13.txt" echo stand-in: The operation failed.
findstr /c:"not there" /c:"operation failed" "%~dp0r13.txt" >nul 2>nul
echo [%errorlevel%]
findstr /c:"not there" "%~dp0r13.txt" >nul 2>nul
echo [%errorlevel%]
findstr /i /c:"OPERATION FAILED" "%~dp0r13.txt" >nul 2>nul && echo [i]
findstr /c:"OPERATION FAILED" "%~dp0r13.txt" >nul 2>nul || echo [case]
exit /b 0
B
[0]
[1]
[i]
[case]
E
mkdir -p "$CAL/a b"
cp "$ROOT/recorder.exe" "$CAL/a b/recorder.exe"
probe r14 req 0 'cmd /c keeps the quotes of a lone quoted program, else strips the first and last' 3<<'B' 4<<'E'
@echo off
cmd /d /c "%~dp0a b\recorder.exe"
cmd /d /c ""%~dp0a b\recorder.exe" "x y""
cmd /d /c "%~dp0a b\recorder.exe" "x y" 2>nul
echo [%errorlevel%]
exit /b 0
B
"C:\calib\a b\recorder.exe"
"C:\calib\a b\recorder.exe" "x y"
[9009]
E
probe r15 req 0 'for /f: a line holding quotes split at spaces, %%~v strips them' 3<<'B' 4<<'E'
@echo off
>"%~dp0java-version.txt" echo java full version "17.0.9+9"
for /f "tokens=4" %%v in (%~dp0java-version.txt) do set "V=%%~v"
for /f "tokens=1,2 delims=." %%a in ("%V%") do echo [%%a.%%b]
B
[17.0]
E
probe r16 req 0 'cmd /s /c "!V!" under delayed expansion runs the command in V as written' 3<<'B' 4<<'E'
@echo off
set "H="%~dp0a b\recorder.exe" "x^&y ^^z""
setlocal EnableDelayedExpansion
cmd /d /v:off /s /c "!H!"
cmd /d /s /c "%~dp0a b\recorder.exe" 2>nul
echo [%errorlevel%]
exit /b 0
B
"C:\calib\a b\recorder.exe" "x&y ^z"
[9009]
E
probe k01 known 0 'delayed expansion: a token with ! loses one level of carets' 3<<'B' 4<<'E'
@echo off
setlocal EnableDelayedExpansion
set "V=1"
echo [Hello^^!]
echo "Hello^!"
echo [a^^b!V!]
B
[Hello!]
"Hello!"
[ab1]
E
mkdir -p "$CAL/p%B%q"
sed 's/$/\r/' > "$CAL/p%B%q/p.bat" <<'B'
@echo off
echo "%~dp0"
B
probe k02 known 0 '%~dp0 with % in the folder name' 3<<'B' 4<<'E'
@echo off
set "B=x"
"%~dp0p%%B%%q\p.bat"
B
"C:\calib\p%B%q\"
E
probe k03 known 0 'CALL doubles quoted carets' 3<<'B' 4<<'E'
@echo off
call :show "a^b"
call "%~dp0recorder.exe" "a^b"
exit /b 0
:show
echo [%1]
exit /b 0
B
["a^^b"]
REC:"a^^b"
E
probe k04 known 0 'for /f options unquoted with ^ escapes, a quote among the delims' 3<<'B' 4<<'E'
@echo off
>"%~dp0java-version.txt" echo java full version "17.0.9+9"
for /f tokens^=2-3^ delims^=.-_^" %%j in (%~dp0java-version.txt) do echo [%%j.%%k]
B
[17.0]
E
probe k05 known 0 'for /f splits a line at its delims inside quoted text too' 3<<'B' 4<<'E'
@echo off
>"%~dp0java-version.txt" echo java full version "17.0.9+9"
for /f "tokens=2-3 delims=.-_" %%j in (%~dp0java-version.txt) do echo [%%j.%%k]
B
[0.9+9"]
E

run_probe() { # $1 = WINEDLLOVERRIDES value for cmd.exe, $2 = probe id; prints normalised stdout, returns exit code
  local rc=0
  (cd "$CAL" && WINEDLLOVERRIDES="findstr.exe=n;$1" timeout 60 wine cmd /c "C:\\calib\\$2.bat" </dev/null 2>/dev/null) \
    > "$CAL/$2.${1#cmd.exe=}.raw" || rc=$?
  tr -d '\r' < "$CAL/$2.${1#cmd.exe=}.raw" |
    sed -E 's/^("C:\\calib\\recorder\.exe"|C:\\calib\\recorder\.exe)( +|$)/REC:/; /^REC:/s/[ \t]+$//'
  return "$rc"
}
log "calibration probes (C:\\calib = $CAL)${CALIBRATE_WINE8:+, also against Wine 8 builtin cmd}"
RES=$ROOT/calibration.tsv
printf 'probe\tkind\twine10-native\twine8-builtin\tdescription\n' > "$RES"
failed=(); known_diff=()
for id in "${PROBES[@]}"; do
  kind='' want_rc='' desc=''
  eval "kind=\$KIND_$id want_rc=\$EXIT_$id desc=\$DESC_$id"
  cols=()
  for ov in "cmd.exe=n" ${CALIBRATE_WINE8:+"cmd.exe=b"}; do
    rc=0; out=$(run_probe "$ov" "$id") || rc=$?
    printf '%s\n' "$out" > "$CAL/$id.${ov#cmd.exe=}.out"
    if [ "$out" = "$(cat "$CAL/$id.expected")" ] && [ "$rc" = "$want_rc" ]; then
      cols+=(pass)
    else
      cols+=(FAIL); [ "$rc" = "$want_rc" ] || cols[-1]="FAIL(exit $rc)"
    fi
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$kind" "${cols[0]}" "${cols[1]:-not run}" "$desc" >> "$RES"
  if [ "${cols[0]}" != pass ]; then
    if [ "$kind" = req ]; then failed+=("$id"); else known_diff+=("$id"); fi
  fi
done
if [ -n "$OWN_SERVER" ]; then wineserver -k 2>/dev/null || true; wineserver -w 2>/dev/null || true; fi
column -t -s $'\t' "$RES" 2>/dev/null || cat "$RES"
for id in "${failed[@]}" "${known_diff[@]}"; do
  echo "--- $id: expected (Windows) vs got (Wine 10 cmd):"
  diff "$CAL/$id.expected" "$CAL/$id.n.out" | sed 's/^/    /' || true
done
[ "${#known_diff[@]}" -eq 0 ] || log "known Wine differences (keep test values away from them): ${known_diff[*]}"
log "done in $((SECONDS - T0))s; WINEPREFIX=$PREFIX; source $ROOT/env.sh; recorder $ROOT/recorder.exe"
STEP="done"
if [ "${#failed[@]}" -eq 0 ]; then
  echo "cmd calibration: ok" | tee "$ROOT/status"
else
  echo "cmd calibration: failed: ${failed[*]}" | tee "$ROOT/status"
  [ "${STRICT:-0}" = 1 ] && exit 2
fi
exit 0
