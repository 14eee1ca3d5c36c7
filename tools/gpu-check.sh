#!/usr/bin/env bash
# What a CUDA build of t2i (mvn -Pcuda) does on this machine's GPU: the GPU and its compute
# capability, then the main commands, each of which should either run or stop with one line
# that names the GPU and says how to run on the CPU. Where nvcc is present it also builds a
# kernel the way ND4J 1.0.0-M2.1's libnd4jcuda.so is built (machine code up to sm_86, no PTX)
# and runs it, which shows why the check exists on Hopper and newer.
#
# usage: tools/gpu-check.sh CLASSPATH   (the -Pcuda target/t2i.jar, or 'lib/*'); JAVA=... picks the JVM
set -u
cp=${1:?usage: tools/gpu-check.sh CLASSPATH_OF_A_CUDA_BUILD}
java=${JAVA:-java}

echo "== GPU"
nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv || echo "(no nvidia-smi)"

if command -v nvcc >/dev/null; then
    echo "== a kernel compiled for sm_86 without PTX, as in ND4J's CUDA 11.6 library"
    dir=$(mktemp -d)
    cat >"$dir/k.cu" <<'CU'
#include <cstdio>
__global__ void one(float *x) { x[threadIdx.x] = 1.0f; }
int main() {
    float *x;
    cudaMalloc(&x, 32 * sizeof(float));
    one<<<1, 32>>>(x);
    cudaError_t e = cudaDeviceSynchronize();
    if (e == cudaSuccess) e = cudaGetLastError();
    printf("sm_86-only kernel: %s\n", cudaGetErrorString(e));
    return e == cudaSuccess ? 0 : 1;
}
CU
    if nvcc -gencode arch=compute_86,code=sm_86 -o "$dir/k" "$dir/k.cu" 2>"$dir/err"; then
        "$dir/k"; echo "exit $?"
    else
        echo "(nvcc could not build for sm_86: $(head -1 "$dir/err"))"
    fi
    rm -rf "$dir"
fi

for args in "bench train-step --preset seed" "bench sample --preset seed" "demo --steps 10" "info --preset seed"; do
    echo "== t2i $args"
    # shellcheck disable=SC2086
    "$java" -cp "$cp" dev.t2i.cli.Main $args 2>&1
    echo "exit $?"
done
