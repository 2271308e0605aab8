#!/bin/sh
# Fails if any of the given libraries links an MPI library, naming it and the library.
status=0
for library in "$@"; do
  found=$(ldd "$library" | grep -i -E 'libmpi|libopen-rte|libopen-pal' || true)
  if [ -n "$found" ]; then
    echo "$library links MPI:"
    echo "$found"
    status=1
  else
    echo "$library: no MPI library"
  fi
done
exit $status
