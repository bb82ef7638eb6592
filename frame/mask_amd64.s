//go:build !purego

#include "textflag.h"

// func maskVector(k uint64, b []byte) int
//
// XORs b with k broadcast to a vector register: with AVX2 (if ·useAVX2)
// 128 octets per iteration, then 32; with SSE2 64, then 16. It returns how
// many octets it masked, len(b) rounded down to a multiple of 32 or 16.
TEXT ·maskVector(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), AX
	MOVQ b_base+8(FP), DI
	MOVQ b_len+16(FP), CX
	MOVQ AX, X0
	CMPB ·useAVX2(SB), $0
	JEQ  sse2

	ANDQ $-32, CX
	MOVQ CX, ret+32(FP)
	JZ   done
	VPBROADCASTQ X0, Y0
	LEAQ (DI)(CX*1), SI // end of the prefix
	ANDQ $-128, CX
	LEAQ (DI)(CX*1), DX // end of the 128-octet blocks
	CMPQ DI, DX
	JEQ  avx2tail

avx2loop128:
	VPXOR   (DI), Y0, Y1
	VPXOR   32(DI), Y0, Y2
	VPXOR   64(DI), Y0, Y3
	VPXOR   96(DI), Y0, Y4
	VMOVDQU Y1, (DI)
	VMOVDQU Y2, 32(DI)
	VMOVDQU Y3, 64(DI)
	VMOVDQU Y4, 96(DI)
	ADDQ    $128, DI
	CMPQ    DI, DX
	JNE     avx2loop128

avx2tail:
	CMPQ DI, SI
	JEQ  avx2end

avx2loop32:
	VPXOR   (DI), Y0, Y1
	VMOVDQU Y1, (DI)
	ADDQ    $32, DI
	CMPQ    DI, SI
	JNE     avx2loop32

avx2end:
	VZEROUPPER
	RET

sse2:
	ANDQ $-16, CX
	MOVQ CX, ret+32(FP)
	JZ   done
	PUNPCKLQDQ X0, X0
	LEAQ (DI)(CX*1), SI
	ANDQ $-64, CX
	LEAQ (DI)(CX*1), DX
	CMPQ DI, DX
	JEQ  sse2tail

sse2loop64:
	MOVOU (DI), X1
	MOVOU 16(DI), X2
	MOVOU 32(DI), X3
	MOVOU 48(DI), X4
	PXOR  X0, X1
	PXOR  X0, X2
	PXOR  X0, X3
	PXOR  X0, X4
	MOVOU X1, (DI)
	MOVOU X2, 16(DI)
	MOVOU X3, 32(DI)
	MOVOU X4, 48(DI)
	ADDQ  $64, DI
	CMPQ  DI, DX
	JNE   sse2loop64

sse2tail:
	CMPQ DI, SI
	JEQ  done

sse2loop16:
	MOVOU (DI), X1
	PXOR  X0, X1
	MOVOU X1, (DI)
	ADDQ  $16, DI
	CMPQ  DI, SI
	JNE   sse2loop16

done:
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
