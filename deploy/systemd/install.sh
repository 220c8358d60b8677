#!/usr/bin/env bash
# Installs (or updates) KRX Signal Worker as the systemd service krx-signal-worker.
#
#   sudo deploy/systemd/install.sh                        install, or update in place
#   sudo deploy/systemd/install.sh --uninstall            remove the service and the program;
#                                                         keep data, logs, secrets and the user
#   sudo deploy/systemd/install.sh --uninstall --purge    remove those as well
#
# Safe to run again: the user, the secrets file and the data are kept, the program is replaced,
# and the service is restarted on the new build. docs/service.md describes the result.
set -euo pipefail

readonly service=krx-signal-worker
readonly svc_user=krxworker
readonly app_dir=/opt/krx-signal-worker
readonly conf_dir=/etc/krx-signal-worker
readonly env_file=$conf_dir/worker.env
readonly unit_dir=/etc/systemd/system
readonly unit_file=$unit_dir/$service.service
readonly dropin_dir=$unit_dir/$service.service.d
readonly doc_dir=/usr/share/doc/$service
readonly state_dir=/var/lib/$service
readonly logs_dir=/var/log/$service

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script_args=("$@")
repo_root=$(cd "$script_dir/../.." && pwd)

say() { echo "install.sh: $*"; }
fail() {
    echo "install.sh: error: $*" >&2
    exit 1
}

usage() {
    sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

uninstall=false
purge=false
while [[ $# -gt 0 ]]; do
    case $1 in
        --uninstall) uninstall=true ;;
        --purge) purge=true ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            fail "unknown argument: $1"
            ;;
    esac
    shift
done
if $purge && ! $uninstall; then
    fail "--purge is only valid together with --uninstall"
fi

[[ $EUID -eq 0 ]] || fail "must be run as root, e.g.: sudo $0${script_args[*]:+ ${script_args[*]}}"
# The same test as sd_booted(3): without it systemctl cannot enable or start anything.
[[ -d /run/systemd/system ]] || fail "systemd is not running on this machine (no /run/systemd/system)"

unit_known() {
    [[ -f $unit_file ]] || systemctl cat "$service.service" >/dev/null 2>&1
}

do_uninstall() {
    if unit_known; then
        say "stopping and disabling $service"
        systemctl disable --now "$service.service" || true
    fi
    rm -f "$unit_file"
    rm -rf "$dropin_dir"
    systemctl daemon-reload
    systemctl reset-failed "$service.service" 2>/dev/null || true
    rm -rf "$app_dir" "$app_dir.new" "$app_dir.old" "$doc_dir"
    say "removed the service and $app_dir"

    if $purge; then
        rm -rf "$state_dir" "$logs_dir" "$conf_dir"
        if id -u "$svc_user" >/dev/null 2>&1; then
            userdel "$svc_user"
        fi
        if getent group "$svc_user" >/dev/null; then
            groupdel "$svc_user"
        fi
        say "purged $state_dir, $logs_dir, $conf_dir and the user $svc_user"
    else
        say "kept $state_dir (database, heartbeat), $logs_dir, $conf_dir (secrets) and the user $svc_user;"
        say "run with --uninstall --purge to remove them too"
    fi
}

if $uninstall; then
    do_uninstall
    exit 0
fi

# ---------------------------------------------------------------------------- install / update

dotnet_bin=$(command -v dotnet || true)
[[ -n $dotnet_bin ]] || fail "dotnet was not found on root's PATH; install the .NET 10 SDK system-wide"
project=$repo_root/Worker/Worker.csproj
[[ -f $project ]] || fail "project not found: $project"

# The published program is framework-dependent: the Worker launcher looks for the runtime in
# $DOTNET_ROOT. Pass the location of this machine's runtime to the service through a drop-in,
# since it differs between distributions (/usr/share/dotnet, /usr/lib/dotnet, ...).
dotnet_root=${DOTNET_ROOT:-$(dirname "$(readlink -f "$dotnet_bin")")}
compgen -G "$dotnet_root/shared/Microsoft.NETCore.App/10.*" >/dev/null ||
    fail "no .NET 10 runtime under $dotnet_root/shared/Microsoft.NETCore.App (set DOTNET_ROOT to the .NET folder)"
case $dotnet_root/ in
    /home/* | /root/* | /run/user/*)
        fail "the .NET runtime is in $dotnet_root, which ProtectHome=yes hides from the service; install .NET system-wide (e.g. under /usr/share/dotnet) and run again" ;;
esac

# 1. The system user and group: no login shell, no home directory.
if ! getent group "$svc_user" >/dev/null; then
    groupadd --system "$svc_user"
    say "created group $svc_user"
fi
if ! id -u "$svc_user" >/dev/null 2>&1; then
    nologin=$(command -v nologin || echo /usr/sbin/nologin)
    useradd --system --gid "$svc_user" --no-create-home --home-dir /nonexistent \
        --shell "$nologin" --comment "KRX Signal Worker" "$svc_user"
    say "created user $svc_user"
fi

# 2. Publish into a temporary folder first, while the running service is untouched: a failed
#    build leaves the old version running, and the service is stopped only for the swap below.
#    The build runs as the owner of the checkout, so that its obj/ and bin/ folders do not end
#    up owned by root.
build_dir=$(mktemp -d)
trap 'rm -rf "$build_dir"' EXIT
build_as=()
repo_owner=$(stat -c %U "$repo_root/Worker")
if [[ $repo_owner != root ]]; then
    owner_home=$(getent passwd "$repo_owner" | cut -d: -f6)
    chown "$repo_owner" "$build_dir"
    build_as=(runuser -u "$repo_owner" -- env HOME="$owner_home")
fi
say "publishing $project (Release, linux-x64, framework-dependent, ReadyToRun)"
# ReadyToRun ships precompiled code, so start-up does not wait on the JIT, for a few MB on disk.
"${build_as[@]}" "$dotnet_bin" publish "$project" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$build_dir/app" --nologo ||
    fail "dotnet publish failed; the installed service was not changed"
[[ -x $build_dir/app/Worker ]] || fail "dotnet publish produced no Worker executable"

# Program files belong to root and are read-only to the service.
rm -rf "$app_dir.new" "$app_dir.old"
cp -R "$build_dir/app" "$app_dir.new"
chown -R root:root "$app_dir.new"
chmod -R u=rwX,go=rX "$app_dir.new"
chmod 0755 "$app_dir.new"

# 3. Secrets file: created from a template only when absent, never overwritten. systemd reads it
#    as root before it starts the service; the group lets the service user read it as well.
install -d -m 0750 -o root -g "$svc_user" "$conf_dir"
if [[ ! -e $env_file ]]; then
    (
        umask 077
        cat >"$env_file" <<'EOF'
# KRX Signal Worker: secrets and per-machine settings, one NAME=value per line.
# Names are configuration keys with "__" for ":" (StockApi:ApiKey -> StockApi__ApiKey).
# Read by systemd when the service starts; after editing run:
#   sudo systemctl restart krx-signal-worker

# Stock API root URL and key (sent as X-WebAI-Key).
StockApi__BaseUrl=
StockApi__ApiKey=

# Keys for openai-type models: the variable name is whatever the model's ApiKeyEnv names.
#OPENROUTER_API_KEY=

# Notifications (optional).
#Notify__Telegram__BotToken=
#Notify__Telegram__ChatId=
#Notify__Webhook__Url=
#Notify__Webhook__Secret=
EOF
    )
    say "created $env_file from the template; fill in the values and restart the service"
fi
chown root:"$svc_user" "$env_file"
chmod 0640 "$env_file"

# 4. Stop the old version (if any), swap the program folder, install the unit and its drop-in.
if systemctl is-active --quiet "$service.service"; then
    say "stopping $service for the update"
    systemctl stop "$service.service"
fi
if [[ -d $app_dir ]]; then
    mv "$app_dir" "$app_dir.old"
fi
mv "$app_dir.new" "$app_dir"
rm -rf "$app_dir.old"
say "installed the program in $app_dir"

install -m 0644 -o root -g root "$script_dir/$service.service" "$unit_file"
install -d -m 0755 "$dropin_dir"
cat >"$dropin_dir/10-dotnet-root.conf" <<EOF
# Written by deploy/systemd/install.sh: where this machine's .NET runtime lives.
[Service]
Environment=DOTNET_ROOT=$dotnet_root
EOF
chmod 0644 "$dropin_dir/10-dotnet-root.conf"

if [[ -f $repo_root/docs/service.md ]]; then
    install -D -m 0644 "$repo_root/docs/service.md" "$doc_dir/service.md"
fi

# 5. Enable at boot and start now. With Type=notify this waits until the daemon reports ready.
systemctl daemon-reload
if ! systemctl enable --now "$service.service"; then
    echo >&2
    journalctl -u "$service" -n 30 --no-pager >&2 || true
    fail "the service did not start; the journal lines above say why"
fi

cat <<EOF

$service is installed and running.

  status          systemctl status $service
  follow the log  journalctl -u $service -f
  log files       $logs_dir/
  health          sudo -u $svc_user $app_dir/Worker status --heartbeat $state_dir/heartbeat.json
  restart         sudo systemctl restart $service
  secrets         $env_file  (edit, then restart)
  data            $state_dir/worker.db
  uninstall       sudo $0 --uninstall   (add --purge to delete data, logs and secrets)
EOF
