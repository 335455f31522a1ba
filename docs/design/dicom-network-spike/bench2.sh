#!/bin/bash
# usage: bench2.sh MODE SCU_NODELAY [env...]   runs spike_scp MODE with given env, storescu 300 files
mode=$1; scu=$2; shift 2
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
rm -rf /tmp/netspike/staging && mkdir -p /tmp/netspike/staging
env "$@" /tmp/netspike/spike_scp $mode $port 2>/tmp/netspike/scp.err &
pid=$!
sleep 0.4
start=$(date +%s.%N)
env TCP_NODELAY=$scu storescu -aec ANNULUS 127.0.0.1 $port /tmp/netspike/mr300/*.dcm 2>/tmp/netspike/scu.err
end=$(date +%s.%N)
kill $pid; wait $pid 2>/dev/null
n=$(ls /tmp/netspike/staging | wc -l)
python3 -c "d=$end-$start; print('mode=$mode scu_nodelay=$scu env=$* files=$n seconds=%.2f rate=%.0f/s' % (d, $n/d))"
