// The POSIX sh launcher shipped in every container layout: `apitrace-exec <command>` injects the
// plugins of the layout it sits in, the same way `apitrace run` composes the variables
// (launcher/plugin-environment.ts), and execs the command. It uses shell builtins only
// (plus mkdir when the run directory is missing), so it works in minimal images.
import { CONTAINER_RUNS_DIR, LAYOUT_FILES } from './container-paths.js';

export function launcherScript(nodeEntry: string): string {
  return `#!/bin/sh
# apitrace-exec: run a command with the apitrace plugins of this directory injected.
# usage: apitrace-exec [--no-native] [--no-node] [--no-jvm] [--] <command> [args...]
# Records into $APITRACE_DIR (default ${CONTAINER_RUNS_DIR}); existing LD_PRELOAD,
# NODE_OPTIONS and JAVA_TOOL_OPTIONS are kept, and nothing is added twice.
native=1 node=1 jvm=1
while [ $# -gt 0 ]; do
  case $1 in
    --no-native) native= ;;
    --no-node) node= ;;
    --no-jvm) jvm= ;;
    --) shift; break ;;
    *) break ;;
  esac
  shift
done
if [ $# -eq 0 ]; then
  echo "apitrace: apitrace-exec: no command given (usage: apitrace-exec [--no-native] [--no-node] [--no-jvm] [--] <command> [args...])" >&2
  exit 2
fi

case $0 in */*) here=\${0%/*} ;; *) here=. ;; esac
here=$(cd -- "$here" && pwd -P) || exit 2

# NODE_OPTIONS and JAVA_TOOL_OPTIONS split on spaces but honour double quotes.
option_arg() {
  case $1 in
    *'"'* | *'\\'*) return 1 ;;
    *[[:space:]]*) printf '"%s"' "$1" ;;
    *) printf '%s' "$1" ;;
  esac
}

export APITRACE_DIR="\${APITRACE_DIR:-${CONTAINER_RUNS_DIR}}"
[ -d "$APITRACE_DIR" ] || mkdir -p -m 700 -- "$APITRACE_DIR" 2>/dev/null

if [ -n "$native" ]; then
  shim=$here/${LAYOUT_FILES.nativeShim}
  case $shim in
    *[[:space:]:]*) echo "apitrace: native shim cannot be injected: its path contains a space or colon, which LD_PRELOAD cannot express: $shim; running without it" >&2 ;;
    *)
      # ld.so splits LD_PRELOAD on spaces and colons: keep every entry, put the shim first, once.
      saved_ifs=$IFS
      IFS=' :	'
      set -f
      joined= seen=
      for entry in \${LD_PRELOAD:-}; do
        [ "$entry" = "$shim" ] && seen=1
        joined=\${joined:+$joined:}$entry
      done
      set +f
      IFS=$saved_ifs
      [ -n "$seen" ] || export LD_PRELOAD="$shim\${joined:+:$joined}"
      ;;
  esac
fi

if [ -n "$node" ]; then
  if entry=$(option_arg "$here/${nodeEntry}"); then
    case \${NODE_OPTIONS:-} in
      *"--import $entry"*) ;;
      *[![:space:]]*) export NODE_OPTIONS="$NODE_OPTIONS --import $entry" ;;
      *) export NODE_OPTIONS="--import $entry" ;;
    esac
  else
    echo "apitrace: node plugin cannot be injected: its path contains a quote or backslash: $here; running without it" >&2
  fi
fi

if [ -n "$jvm" ]; then
  if agent=$(option_arg "-javaagent:$here/${LAYOUT_FILES.jvmAgent}"); then
    case \${JAVA_TOOL_OPTIONS:-} in
      *"$agent"*) ;;
      *[![:space:]]*) export JAVA_TOOL_OPTIONS="$JAVA_TOOL_OPTIONS $agent" ;;
      *) export JAVA_TOOL_OPTIONS="$agent" ;;
    esac
  else
    echo "apitrace: jvm agent cannot be injected: its path contains a quote or backslash: $here; running without it" >&2
  fi
fi

exec "$@"
`;
}
