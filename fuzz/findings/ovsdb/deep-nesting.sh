#!/bin/sh
# Writes the reproducer (600 KB, so not kept itself): one OVSDB message,
# an object holding 300000 nested arrays, under ovsdb.c's 1 MiB limit.
#   fuzz/findings/ovsdb/deep-nesting.sh > /tmp/deep.json
#   build/fuzz/bin/fuzz_ovsdb /tmp/deep.json   # stack-overflow in yajl_tree_free
python3 -c "import sys; n = 300000; sys.stdout.write('{\"a\":' + '[' * n + '1' + ']' * n + '}')"
