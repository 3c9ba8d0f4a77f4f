#!/usr/bin/env bash
# Package smoke test (packaging issue): the packages work for a newcomer, every way a .NET app runs.
#
# Packs ProcessFutures and ProcessFutures.Contracts into a local folder feed with a unique
# prerelease version, checks what the packages hold and depend on (ProcessFutures.Contracts on
# MessagePack only), makes a fresh 'dotnet new console' app that adds ProcessFutures from that
# feed (its Program.cs and SmokeShared.cs are beside this script), and runs a process-pool request
# whose callback is the app's own against a server the app starts on 127.0.0.1:
#   1. dotnet run
#   2. framework-dependent publish, run from another directory with 'dotnet App.dll', and with its
#      apphost while PATH has no dotnet
#   3. self-contained publish (-r linux-x64 --self-contained), PATH without dotnet, empty environment
#   4. single-file publish (PublishSingleFile, self-contained), likewise
#   5. single-file publish, framework-dependent, from another directory, PATH without dotnet
#   6. the self-contained single-file app without RunWorkerIfRequested: the WorkerStartException
#      says which line to add where, a second request fails at once, and no process was started
#   7. a 'dotnet new nunit' project whose test uses the pool (dotnet test)
#   8. PublishTrimmed and PublishAot are refused at publish with PROCESSFUTURES001
#   9. no ASP.NET Core: the framework-dependent app of step 2 asks for Microsoft.NETCore.App alone,
#      and runs (its worker too) on a copy of the dotnet root that holds no
#      shared/Microsoft.AspNetCore.App, with that copy's dotnet, DOTNET_ROOT on it, PATH without dotnet
#  10. a fresh console app on ProcessFutures.Remote (RemoteApp/Program.cs) starts itself as a remote
#      worker on 127.0.0.2 (TLS with a certificate it makes, a token), and its RemoteWorkerExecutor
#      runs the app's own callback in that worker and a DownloadTo onto the caller's disk
#      (framework-dependent publish, 'dotnet RemoteApp.dll')
#  11. the runtimeconfig.json frameworks of a console app on each package: ProcessFutures and
#      ProcessFutures.Contracts ask for Microsoft.NETCore.App alone, ProcessFutures.Remote for it and
#      Microsoft.AspNetCore.App (printed, and in the closing measurements)
# Each app run asserts that the callback ran in another process and that its result is right, and
# is repeated RUNS times (default 3) for the start times it prints. The consumer projects build
# with TreatWarningsAsErrors: no warning of the library's may break them.
# Prints sizes and start times, and a closing 'N passed, N failed' line.
#
# Usage: tests/PackageSmoke/run.sh        (KEEP=1 keeps the work directory, but not step 9's copy of
#                                          the dotnet root; RUNS=n runs each app n times)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_GENERATE_ASPNET_CERTIFICATE=false
rid="linux-x64"
case "$(uname -m)" in aarch64|arm64) rid="linux-arm64" ;; esac
runs="${RUNS:-3}"

work="$(mktemp -d "${TMPDIR:-/tmp}/processfutures-smoke.XXXXXX")"
feed="$work/feed"
nopath="$work/nopath"            # an empty directory: PATH=$nopath has no dotnet (nor anything else)
elsewhere="$work/elsewhere"      # a working directory that is not the app's
mkdir -p "$feed" "$nopath" "$elsewhere"
suffix="smoke.$(date +%Y%m%d%H%M%S).$$"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
passed=0
failed=0
summary=()

cleanup() {
  # The unique version must not pile up in the global packages folder.
  if [[ -n "${version:-}" ]]; then
    rm -rf "$packages/processfutures/$version" "$packages/processfutures.contracts/$version" "$packages/processfutures.remote/$version"
  fi
  # Step 9's copy of the dotnet root (some 80 MB): removed even with KEEP=1.
  if [[ -n "${netcore_root:-}" ]]; then
    rm -rf "$netcore_root"
  fi
  if [[ "${KEEP:-0}" == "1" ]]; then
    echo "kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

say() { printf '\n=== %s\n' "$*"; }
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
size() { du -sb "$1" | cut -f1 | awk '{ printf "%.1f MB", $1 / 1048576 }'; }
# A package's file list, and one file of it (python3: unzip is not on every machine).
zip_list() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
zip_cat() { python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' "$1" "$2"; }
# The PE machine of a dll in a package, in hex: 14c for IL (AnyCPU), fd1d for a ReadyToRun image for
# linux-x64 (x64's 8664, xored with 7b79 for Linux by crossgen2).
zip_pe_machine() { python3 -c 'import struct, sys, zipfile
b = zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]); pe = struct.unpack_from("<I", b, 0x3c)[0]
print("%x" % struct.unpack_from("<H", b, pe + 4)[0])' "$1" "$2"; }
# The shared frameworks a runtimeconfig.json asks for, one 'name version' a line, in its order
# ("framework" when there is one, "frameworks" when there are more).
frameworks_of() {
  python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))["runtimeOptions"]
for f in o.get("frameworks") or ([o["framework"]] if "framework" in o else []): print(f["name"], f["version"])' "$1"
}

# Runs a built or published app RUNS times (the command is "$@"), keeps each output in
# $work/<name>.<n>.log, and checks what the app printed: exit 0, "smoke: OK", and the way the
# worker was started (unless expect_start is empty: an app with no process pool). Records the first-response and worker-ready times of each run.
run_app() {
  local name="$1" expect_start="$2"
  shift 2
  local n ok=1 firsts=() readies=()
  for ((n = 1; n <= runs; n++)); do
    local log="$work/${name//[^A-Za-z0-9]/_}.$n.log" code=0 first ready
    (cd "$elsewhere" && timeout 180 "$@") >"$log" 2>&1 || code=$?
    if [[ $n -eq 1 ]]; then
      sed 's/^/    /' "$log" | grep -E 'smoke:|Workers start as|ready in|fail:|rror' | cut -c1-400 || true
    fi
    first=$(grep -oE 'first response [0-9]+ ms' "$log" | grep -oE '[0-9]+' || echo '?')
    ready=$(grep -oE 'ready in [0-9]+ ms' "$log" | head -n 1 | grep -oE '[0-9]+' || echo '?')
    firsts+=("$first")
    readies+=("$ready")
    if ! { [[ $code -eq 0 ]] && grep -q '^smoke: OK$' "$log" && { [[ -z $expect_start ]] || grep -q "Workers start as .*$expect_start" "$log"; }; }; then
      ok=0
      echo "    run $n: exit $code; see $log"
    fi
  done
  summary+=("$(printf '%-26s first response %-16s ms   worker ready %-16s ms' "$name" "$(IFS=/; echo "${firsts[*]}")" "$(IFS=/; echo "${readies[*]}")")")
  if [[ $ok -eq 1 ]]; then
    pass "$name ($runs runs)"
  else
    fail "$name"
  fi
}

say "pack (version suffix $suffix)"
timeout 900 dotnet pack "$root/ProcessFutures.sln" -c Release -o "$feed" -p:VersionSuffix="$suffix" -nologo -v:quiet
ls -l "$feed"
contracts_packages=("$feed"/ProcessFutures.Contracts.*.nupkg)
version="$(basename "${contracts_packages[0]}" .nupkg)"
version="${version#ProcessFutures.Contracts.}"
client="$feed/ProcessFutures.$version.nupkg"
contracts="$feed/ProcessFutures.Contracts.$version.nupkg"
remote="$feed/ProcessFutures.Remote.$version.nupkg"
nupkgs=$(find "$feed" -name '*.nupkg' | wc -l)
snupkgs=$(find "$feed" -name '*.snupkg' | wc -l)
if [[ $nupkgs -eq 3 && $snupkgs -eq 3 && $version == *-"$suffix" && -f "$client" && -f "$contracts" && -f "$remote" ]]; then
  pass "pack made exactly ProcessFutures, ProcessFutures.Contracts and ProcessFutures.Remote $version, each with a symbols package"
else
  fail "pack made $nupkgs packages and $snupkgs symbol packages (version '$version')"
fi
# Read each list whole before grepping: 'grep -q' stops reading early, and with pipefail the
# writer's broken pipe would fail the check.
client_files="$(zip_list "$client")"
client_symbols="$(zip_list "${client%.nupkg}.snupkg")"
client_nuspec="$(zip_cat "$client" ProcessFutures.nuspec)"
contracts_nuspec="$(zip_cat "$contracts" ProcessFutures.Contracts.nuspec)"
remote_nuspec="$(zip_cat "$remote" ProcessFutures.Remote.nuspec)"
client_dependencies="$(grep -oE '(dependency id|frameworkReference name)="[^"]+"' <<<"$client_nuspec" | cut -d'"' -f2 | sort -u | tr '\n' ' ')"
contracts_dependencies="$(grep -oE '(dependency id|frameworkReference name)="[^"]+"' <<<"$contracts_nuspec" | cut -d'"' -f2 | sort -u | tr '\n' ' ')"
echo "    ProcessFutures depends on: $client_dependencies"
remote_dependencies="$(grep -oE '(dependency id|frameworkReference name)="[^"]+"' <<<"$remote_nuspec" | cut -d'"' -f2 | sort -u | tr '\n' ' ')"
echo "    ProcessFutures.Contracts depends on: $contracts_dependencies"
echo "    ProcessFutures.Remote depends on: $remote_dependencies"
if [[ "$contracts_dependencies" == "MessagePack " ]]; then
  pass "ProcessFutures.Contracts depends on MessagePack only"
else
  fail "ProcessFutures.Contracts depends on '$contracts_dependencies', not on MessagePack only"
fi
if [[ "$(grep -E '^lib/' <<<"$client_files")" == 'lib/net10.0/ProcessFutures.dll
lib/net10.0/ProcessFutures.xml' ]] \
  && grep -qx 'buildTransitive/ProcessFutures.targets' <<<"$client_files" \
  && grep -qx 'README.md' <<<"$client_files" \
  && grep -qx 'lib/net10.0/ProcessFutures.pdb' <<<"$client_symbols" \
  && grep -qE 'dependency id="ProcessFutures.Contracts"' <<<"$client_nuspec" \
  && ! grep -qE 'id="(Session\.[A-Za-z]+|Grpc\.[A-Za-z.]+)"|name="Microsoft.AspNetCore.App"' <<<"$client_nuspec"; then
  pass "ProcessFutures carries ProcessFutures.dll alone (client and worker; its pdb in the symbols package) and its targets, depends on ProcessFutures.Contracts, and on no Session.*, gRPC or ASP.NET Core"
else
  fail "package contents (see the packages in $feed)"
fi
# The IL reference assembly is what compilers see; the runtime assembly is a ReadyToRun image for
# linux-x64 when packed there (elsewhere it is IL, as the runtime treats the image on other machines).
if [[ "$(grep -E '^ref/' <<<"$client_files")" == 'ref/net10.0/ProcessFutures.dll
ref/net10.0/ProcessFutures.xml' ]] && [[ "$(zip_pe_machine "$client" ref/net10.0/ProcessFutures.dll)" == 14c ]]; then
  pass "ProcessFutures gives compilers an IL reference assembly (ref/)"
else
  fail "ProcessFutures's ref/ folder: $(grep -E '^ref/' <<<"$client_files" | tr '\n' ' ')"
fi
if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  machine="$(zip_pe_machine "$client" lib/net10.0/ProcessFutures.dll)"
  if [[ "$machine" == fd1d ]]; then
    pass "ProcessFutures.dll is a ReadyToRun image for linux-x64 (PE machine $machine)"
  else
    fail "ProcessFutures.dll is not a ReadyToRun image for linux-x64 (PE machine $machine)"
  fi
fi
if grep -qE "dependency id=\"ProcessFutures\" version=\"\[$version\]\"" <<<"$remote_nuspec" \
  && grep -qE 'frameworkReference name="Microsoft.AspNetCore.App"' <<<"$remote_nuspec" \
  && grep -qx 'lib/net10.0/ProcessFutures.Remote.dll' <<<"$(zip_list "$remote")"; then
  pass "ProcessFutures.Remote carries ProcessFutures.Remote.dll, asks for ASP.NET Core, and depends on exactly ProcessFutures $version"
else
  fail "ProcessFutures.Remote's package (see $remote)"
fi
for f in "$feed"/*; do summary+=("$(printf '%-58s %8s bytes' "$(basename "$f")" "$(stat -c %s "$f")")"); done

# Restore from the local feed and from whatever sources this machine normally uses (the user's
# NuGet.Config still applies: this file adds a source, it does not clear them).
cat >"$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="processfutures-smoke" value="$feed" />
  </packageSources>
</configuration>
EOF
# Consumers that treat warnings as errors: the library must not break their build.
cat >"$work/Directory.Build.props" <<'EOF'
<Project>
  <PropertyGroup>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
</Project>
EOF

say "a fresh console app adds ProcessFutures $version"
timeout 300 dotnet new console -o "$work/app" -n SmokeApp --framework net10.0 --no-update-check >/dev/null
timeout 300 dotnet add "$work/app/SmokeApp.csproj" package ProcessFutures --version "$version" >/dev/null
# The app logs the pool's events to the console: a package of its own now that ProcessFutures brings no ASP.NET Core.
timeout 300 dotnet add "$work/app/SmokeApp.csproj" package Microsoft.Extensions.Logging.Console --version 10.0.15 >/dev/null
cp "$here/App/Program.cs" "$here/Shared/SmokeShared.cs" "$work/app/"

say "1. dotnet run"
timeout 600 dotnet build "$work/app" -c Release -nologo -v:quiet >/dev/null
run_app "dotnet run" "ProcessFutures.dll" dotnet run --no-build --project "$work/app" -c Release

say "2. framework-dependent publish, run from another directory"
timeout 600 dotnet publish "$work/app" -c Release -o "$work/out/fdd" -nologo -v:quiet
summary+=("$(printf '%-58s %s' 'publish: framework-dependent' "$(size "$work/out/fdd")")")
dotnet_host="$(command -v dotnet)"
run_app "fdd: dotnet SmokeApp.dll" "ProcessFutures.dll" "$dotnet_host" "$work/out/fdd/SmokeApp.dll"
run_app "fdd: apphost, no dotnet" "ProcessFutures.dll" env PATH="$nopath" "$work/out/fdd/SmokeApp"

say "3. self-contained publish, no dotnet on PATH"
timeout 900 dotnet publish "$work/app" -c Release -r "$rid" --self-contained -o "$work/out/sc" -nologo -v:quiet
summary+=("$(printf '%-58s %s' 'publish: self-contained' "$(size "$work/out/sc")")")
run_app "self-contained" "started again as its own worker" env -i PATH="$nopath" HOME="$work" "$work/out/sc/SmokeApp"

say "4. single-file publish (self-contained), no dotnet on PATH"
timeout 900 dotnet publish "$work/app" -c Release -r "$rid" --self-contained -p:PublishSingleFile=true -o "$work/out/sf" -nologo -v:quiet
summary+=("$(printf '%-58s %s' 'publish: single-file (self-contained)' "$(size "$work/out/sf")")")
run_app "single-file" "started again as its own worker" env -i PATH="$nopath" HOME="$work" "$work/out/sf/SmokeApp"

say "5. single-file publish (framework-dependent), no dotnet on PATH"
timeout 900 dotnet publish "$work/app" -c Release -r "$rid" --self-contained false -p:PublishSingleFile=true -o "$work/out/sf-fdd" -nologo -v:quiet
summary+=("$(printf '%-58s %s' 'publish: single-file (framework-dependent)' "$(size "$work/out/sf-fdd")")")
run_app "single-file, fdd" "started again as its own worker" env PATH="$nopath" "$work/out/sf-fdd/SmokeApp"

say "6. single-file app without RunWorkerIfRequested"
cp -r "$work/app" "$work/app-without"
rm -rf "$work/app-without/bin" "$work/app-without/obj"
sed -i '/SMOKE:ENTRY/d' "$work/app-without/Program.cs"
timeout 900 dotnet publish "$work/app-without" -c Release -r "$rid" --self-contained -p:PublishSingleFile=true -o "$work/out/sf-without" -nologo -v:quiet
code=0
(cd "$elsewhere" && timeout 120 env -i PATH="$nopath" HOME="$work" "$work/out/sf-without/SmokeApp") >"$work/sf-without.log" 2>&1 || code=$?
grep -E '^smoke:|fail:' "$work/sf-without.log" | cut -c1-600 | sed 's/^/    /' || true
second_ms="$(grep -oE 'a second request failed in [0-9]+ ms' "$work/sf-without.log" | grep -oE '[0-9]+' || echo 99999)"
if [[ $code -eq 3 ]] && grep -qF "smoke: WorkerStartException: This app is a single-file app" "$work/sf-without.log" \
  && grep -qF "Add 'ProcessPoolExecutor.RunWorkerIfRequested(args);' (namespace ProcessFutures) as the first line of Main in SmokeApp" "$work/sf-without.log" \
  && grep -qE 'child processes: 0$' "$work/sf-without.log" && [[ $second_ms -lt 500 ]] \
  && ! grep -q 'retrying in' "$work/sf-without.log"; then
  pass "single-file without RunWorkerIfRequested fails every request at once with the line to add, and starts nothing"
else
  fail "single-file without RunWorkerIfRequested (exit $code; see $work/sf-without.log)"
fi

say "7. dotnet new nunit, a test that uses the pool"
timeout 300 dotnet new nunit -o "$work/tests" -n SmokeTests --framework net10.0 --no-update-check >/dev/null
rm -f "$work/tests/UnitTest1.cs"
timeout 300 dotnet add "$work/tests/SmokeTests.csproj" package ProcessFutures --version "$version" >/dev/null
cp "$here/Tests/PoolTests.cs" "$here/Shared/SmokeShared.cs" "$work/tests/"
code=0
started=$(date +%s%N)
timeout 900 dotnet test "$work/tests" -c Release --logger "console;verbosity=normal" >"$work/nunit.log" 2>&1 || code=$?
summary+=("$(printf '%-26s whole dotnet test %6s ms' "nunit" $((($(date +%s%N) - started) / 1000000)))")
grep -E 'smoke:|Passed|Failed|error' "$work/nunit.log" | cut -c1-300 | sed 's/^/    /' || true
if [[ $code -eq 0 ]] && grep -qE 'Passed!|Passed: +1' "$work/nunit.log"; then
  pass "dotnet test: the pool ran the test assembly's callback in a worker"
else
  fail "dotnet test (exit $code; see $work/nunit.log)"
fi

say "8. trimming and native AOT are refused at publish"
for property in PublishTrimmed PublishAot; do
  code=0
  timeout 900 dotnet publish "$work/app" -c Release -r "$rid" -p:$property=true -o "$work/out/$property" -nologo >"$work/$property.log" 2>&1 || code=$?
  if [[ $code -ne 0 ]] && grep -q 'error PROCESSFUTURES001' "$work/$property.log"; then
    pass "$property=true refused with PROCESSFUTURES001"
  else
    fail "$property=true (exit $code; see $work/$property.log)"
  fi
done

say "9. no ASP.NET Core: the framework-dependent app on a dotnet root with Microsoft.NETCore.App alone"
# A copy of the real dotnet root (the muxer's directory, symlinks followed) with only what runs an
# app: the muxer, host/fxr and shared/Microsoft.NETCore.App. Copied, not linked: nothing done to the
# copy can reach the real one.
real_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
netcore_root="$work/dotnet-netcore-only"
mkdir -p "$netcore_root/shared"
cp -a "$real_root/dotnet" "$real_root/host" "$netcore_root/"
cp -a "$real_root/shared/Microsoft.NETCore.App" "$netcore_root/shared/"
netcore_runtimes="$(env PATH="$nopath" DOTNET_ROOT="$netcore_root" "$netcore_root/dotnet" --list-runtimes)"
sed 's/^/    copy: /' <<<"$netcore_runtimes"
fdd_frameworks="$(frameworks_of "$work/out/fdd/SmokeApp.runtimeconfig.json" | cut -d' ' -f1 | tr '\n' ' ')"
echo "    SmokeApp.runtimeconfig.json asks for: $fdd_frameworks"
if [[ "$fdd_frameworks" == "Microsoft.NETCore.App " ]] && grep -q '^Microsoft.NETCore.App ' <<<"$netcore_runtimes" \
  && ! grep -q 'Microsoft.AspNetCore.App' <<<"$netcore_runtimes" && [[ -d "$real_root/shared/Microsoft.AspNetCore.App" ]]; then
  pass "the app asks for Microsoft.NETCore.App alone; the copy of $real_root has no Microsoft.AspNetCore.App (the real one still has)"
else
  fail "runtimeconfig '$fdd_frameworks', or the copy of the dotnet root (see $netcore_root)"
fi
# The worker must start on the copy too: its command is the copy's dotnet host.
run_app "no ASP.NET Core: fdd" "'$netcore_root/dotnet exec .*ProcessFutures.dll" \
  env PATH="$nopath" DOTNET_ROOT="$netcore_root" "$netcore_root/dotnet" "$work/out/fdd/SmokeApp.dll"

say "10. a fresh console app adds ProcessFutures.Remote: its own remote worker on 127.0.0.2, and a client"
timeout 300 dotnet new console -o "$work/remote" -n RemoteApp --framework net10.0 --no-update-check >/dev/null
timeout 300 dotnet add "$work/remote/RemoteApp.csproj" package ProcessFutures.Remote --version "$version" >/dev/null
cp "$here/RemoteApp/Program.cs" "$here/Shared/SmokeShared.cs" "$work/remote/"
timeout 600 dotnet publish "$work/remote" -c Release -o "$work/out/remote" -nologo -v:quiet
summary+=("$(printf '%-58s %s' 'publish: ProcessFutures.Remote app, framework-dependent' "$(size "$work/out/remote")")")
run_app "remote worker and client" "" "$dotnet_host" "$work/out/remote/RemoteApp.dll"

say "11. the runtimeconfig.json frameworks of a console app on each package"
timeout 300 dotnet new console -o "$work/contracts" -n ContractsApp --framework net10.0 --no-update-check >/dev/null
timeout 300 dotnet add "$work/contracts/ContractsApp.csproj" package ProcessFutures.Contracts --version "$version" >/dev/null
cp "$here/ContractsApp/Program.cs" "$work/contracts/"
timeout 600 dotnet build "$work/contracts" -c Release -nologo -v:quiet >/dev/null
for entry in \
  "ProcessFutures|$work/out/fdd/SmokeApp.runtimeconfig.json|Microsoft.NETCore.App" \
  "ProcessFutures.Remote|$work/out/remote/RemoteApp.runtimeconfig.json|Microsoft.AspNetCore.App Microsoft.NETCore.App" \
  "ProcessFutures.Contracts|$work/contracts/bin/Release/net10.0/ContractsApp.runtimeconfig.json|Microsoft.NETCore.App"; do
  IFS='|' read -r package config wanted <<<"$entry"
  frameworks="$(frameworks_of "$config" | paste -sd, | sed 's/,/, /g')"
  names="$(frameworks_of "$config" | cut -d' ' -f1 | sort | paste -sd' ')"
  line="$(printf 'runtimeconfig frameworks, app on %-25s %s' "$package:" "$frameworks")"
  echo "    $line"
  summary+=("$line")
  if [[ "$names" == "$wanted" ]]; then
    pass "a console app on $package asks for: $frameworks"
  else
    fail "a console app on $package asks for '$frameworks', not '$wanted' (see $config)"
  fi
done

say "measurements (times: one per run)"
printf '%s\n' "${summary[@]}"
echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
