#!/usr/bin/env bash
# A RabbitMQ node of its own for the tests: its own node name, ports, data folder, Erlang cookie and HOME, on
# loopback. Debian's /usr/sbin wrappers fail on the Erlang cookie when run as root, so the node is started through
# /usr/lib/rabbitmq/bin/rabbitmq-server with HOME in the node's folder. Used by .ci/run and by the tests' RabbitMqBroker.
#
#   broker.sh start DIR    start a node in DIR (made if missing), wait until it runs; prints its amqp URI
#   broker.sh ctl DIR ...  rabbitmqctl against that node (stop_app, start_app, list_queues...)
#   broker.sh stop DIR     stop the node and its epmd
set -euo pipefail
command=${1:?start, ctl or stop}
dir=${2:?the node folder}
bin=/usr/lib/rabbitmq/bin

free_port() {
  local port
  while true; do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

load() {
  # shellcheck disable=SC1091
  source "$dir/node.env"
  export HOME="$dir" RABBITMQ_NODENAME RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT ERL_EPMD_PORT
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
}

case "$command" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ ! -f "$dir/node.env" ]; then
      port=$(free_port)
      cat > "$dir/node.env" <<ENV
RABBITMQ_NODENAME=fhirmmn-$port@localhost
RABBITMQ_NODE_PORT=$port
RABBITMQ_DIST_PORT=$(free_port)
ERL_EPMD_PORT=$(free_port)
ENV
      head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$dir/.erlang.cookie"
      chmod 400 "$dir/.erlang.cookie"
      echo '[].' > "$dir/enabled_plugins"
    fi
    load
    setsid "$bin/rabbitmq-server" > "$dir/server.log" 2>&1 < /dev/null &
    echo $! > "$dir/server.pid"
    # await_startup gives up at once while the node has not registered with epmd yet: ask again until it answers,
    # the node's process ends, or two minutes have passed.
    deadline=$(( SECONDS + 120 ))
    until "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q await_startup --timeout 10 > "$dir/await.log" 2>&1; do
      if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
        echo "RabbitMQ did not start; its log:" >&2
        tail -20 "$dir/server.log" >&2
        tail -5 "$dir/await.log" >&2
        exit 1
      fi
      sleep 1
    done
    echo "amqp://guest:guest@127.0.0.1:$RABBITMQ_NODE_PORT/"
    ;;
  ctl)
    load
    shift 2
    exec "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q "$@"
    ;;
  stop)
    [ -f "$dir/node.env" ] || exit 0
    load
    timeout 60 "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q stop > /dev/null 2>&1 || true
    if [ -f "$dir/server.pid" ]; then
      kill -- -"$(cat "$dir/server.pid")" 2>/dev/null || true
    fi
    epmd -kill > /dev/null 2>&1 || true
    ;;
  *)
    echo "unknown command $command" >&2
    exit 1
    ;;
esac
