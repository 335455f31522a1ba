#!/bin/bash
# usage: bench.sh SCP_NODELAY SCU_NODELAY
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
rm -rf /tmp/netspike/out && mkdir -p /tmp/netspike/out
if [ "$1" = 1 ]; then export_scp="TCP_NODELAY=1"; else export_scp=""; fi
env $export_scp storescp --aetitle SPIKE --output-directory /tmp/netspike/out $port &
pid=$!
sleep 0.5
start=$(date +%s.%N)
if [ "$2" = 1 ]; then TCP_NODELAY=1 storescu -aec SPIKE 127.0.0.1 $port /tmp/netspike/mr300/*.dcm; else storescu -aec SPIKE 127.0.0.1 $port /tmp/netspike/mr300/*.dcm; fi
end=$(date +%s.%N)
kill $pid; wait $pid 2>/dev/null
n=$(ls /tmp/netspike/out | wc -l)
python3 -c "d=$end-$start; print('scp_nodelay=$1 scu_nodelay=$2 files=$n seconds=%.2f rate=%.0f/s' % (d, $n/d))"
