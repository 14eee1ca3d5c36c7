# Lists (kind, sm arch) of every entry in every fatbin inside an ELF shared library.
import struct, sys, collections, mmap
f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
magic = struct.pack('<I', 0xBA55ED50)
counts = collections.Counter(); pos = 0; nfat = 0
while True:
    pos = m.find(magic, pos)
    if pos < 0: break
    ver, hsize = struct.unpack_from('<HH', m, pos + 4)
    fsize, = struct.unpack_from('<Q', m, pos + 8)
    if ver != 1 or hsize != 16 or fsize == 0 or fsize > len(m):
        pos += 4; continue
    nfat += 1
    e = pos + hsize; end = e + fsize
    while e < end:
        kind, _, ehs = struct.unpack_from('<HHI', m, e)
        size, = struct.unpack_from('<Q', m, e + 8)
        arch, = struct.unpack_from('<I', m, e + 28)
        counts[('PTX' if kind == 1 else 'ELF' if kind == 2 else str(kind), arch)] += 1
        if ehs == 0: break
        e += ehs + size
    pos = end
print('fatbins', nfat)
for k, v in sorted(counts.items()): print(k, v)
