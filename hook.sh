#!/bin/sh
# /usr/local/bin/rtmon-webhook: NotificationExec "nobody" "/usr/local/bin/rtmon-webhook"
set -eu
n=$(head -c 4096)   # a notification is far smaller; bound what we read
sev=$(printf '%s\n' "$n" | sed -n 's/^Severity: //p')
host=$(printf '%s\n' "$n" | sed -n 's/^Host: //p')
what=$(printf '%s\n' "$n" | sed -n 's/^Plugin: //p;s/^PluginInstance: //p;s/^TypeInstance: //p' | paste -sd' ')
msg=$(printf '%s\n' "$n" | sed '1,/^$/d')
jq -n --arg t "$sev $host $what: $msg" '{text: $t}' |
  curl -fsS --max-time 10 -H 'Content-Type: application/json' --data @- \
    "http://127.0.0.1:18777/hook"
