#!/bin/bash
# bench4.sh storescp|spike : 4 parallel storescu x 75 files, everything with TCP_NODELAY=1
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
rm -rf /tmp/netspike/out /tmp/netspike/staging; mkdir -p /tmp/netspike/out /tmp/netspike/staging
if [ $1 = storescp ]; then TCP_NODELAY=1 storescp --fork --aetitle ANNULUS --output-directory /tmp/netspike/out $port 2>/dev/null & pid=$!; dir=out
else FSYNC=${FSYNC:-1} MAXASSOC=8 /tmp/netspike/spike_scp fork $port 2>/dev/null & pid=$!; dir=staging; fi
sleep 0.4
files=(/tmp/netspike/mr300/*.dcm)
start=$(date +%s.%N)
for k in 0 1 2 3; do TCP_NODELAY=1 storescu -aec ANNULUS 127.0.0.1 $port "${files[@]:$((k*75)):75}" & done; wait %2 %3 %4 %5 2>/dev/null
end=$(date +%s.%N)
kill $pid; wait $pid 2>/dev/null
n=$(ls /tmp/netspike/$dir | wc -l)
python3 -c "d=$end-$start; print('$1 FSYNC=${FSYNC:-1} 4 assoc: files=$n seconds=%.2f rate=%.0f/s' % (d, $n/d))"
