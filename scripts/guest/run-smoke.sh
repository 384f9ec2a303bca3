#!/bin/sh
insmod /lib/modules/mv/minivisor.ko
echo "== hello16"; mvrun /mv/guests/hello16.bin; echo "rc=$?"
echo "== real16"; mvrun --mem 512K /mv/guests/real16.bin; echo "rc=$?"
echo "== exits32 (test 0)"; mvrun /mv/guests/exits32.bin; echo "rc=$?"
mvctl vm list
rmmod minivisor; echo "rmmod rc=$?"
