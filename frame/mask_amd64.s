//go:build !purego

#include "textflag.h"

// func maskVector(k uint64, b []byte)
//
// Masks b, at least 64 octets long, with k, the key word of b[0]'s phase
// (see keyWord):
//
//   - first the 0-31 octets up to an address aligned to 32, in pieces of 1,
//     2, 4, 8 and 16 octets in that order, so that each piece is aligned;
//     the 1- and 2-octet pieces advance the key's phase by rotating k;
//   - then with k broadcast to a vector register: with AVX2 (if ·useAVX2)
//     128 octets per iteration, then 32; with SSE2 64, then 16;
//   - then the 0-31 octets left, in pieces of 16, 8, 4, 2 and 1.
TEXT ·maskVector(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), AX
	MOVQ b_base+8(FP), DI
	MOVQ b_len+16(FP), CX

	// Head: DX = octets up to the next address aligned to 32.
	MOVQ DI, DX
	NEGQ DX
	ANDQ $31, DX
	SUBQ DX, CX
	TESTQ $1, DX
	JEQ   head2
	XORB  AX, (DI)
	RORQ  $8, AX
	ADDQ  $1, DI

head2:
	TESTQ $2, DX
	JEQ   head4
	XORW  AX, (DI)
	RORQ  $16, AX
	ADDQ  $2, DI

head4:
	TESTQ $4, DX
	JEQ   head8
	XORL  AX, (DI)
	ADDQ  $4, DI

head8:
	TESTQ $8, DX
	JEQ   head16
	XORQ  AX, (DI)
	ADDQ  $8, DI

head16:
	TESTQ $16, DX
	JEQ   body
	XORQ  AX, (DI)
	XORQ  AX, 8(DI)
	ADDQ  $16, DI

body:
	// DI is aligned to 32 and CX octets are left.
	MOVQ AX, X0
	CMPB ·useAVX2(SB), $0
	JEQ  sse2
	VPBROADCASTQ X0, Y0
	MOVQ CX, DX
	ANDQ $-128, DX
	JEQ  avx2tail

avx2loop128:
	VPXOR   (DI), Y0, Y1
	VPXOR   32(DI), Y0, Y2
	VPXOR   64(DI), Y0, Y3
	VPXOR   96(DI), Y0, Y4
	VMOVDQA Y1, (DI)
	VMOVDQA Y2, 32(DI)
	VMOVDQA Y3, 64(DI)
	VMOVDQA Y4, 96(DI)
	ADDQ    $128, DI
	SUBQ    $128, DX
	JNE     avx2loop128

avx2tail:
	ANDQ $127, CX
	CMPQ CX, $32
	JLT  avx2end

avx2loop32:
	VPXOR   (DI), Y0, Y1
	VMOVDQA Y1, (DI)
	ADDQ    $32, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     avx2loop32

avx2end:
	VZEROUPPER
	JMP tail

sse2:
	PUNPCKLQDQ X0, X0
	MOVQ       CX, DX
	ANDQ       $-64, DX
	JEQ        sse2tail

sse2loop64:
	MOVOA (DI), X1
	MOVOA 16(DI), X2
	MOVOA 32(DI), X3
	MOVOA 48(DI), X4
	PXOR  X0, X1
	PXOR  X0, X2
	PXOR  X0, X3
	PXOR  X0, X4
	MOVOA X1, (DI)
	MOVOA X2, 16(DI)
	MOVOA X3, 32(DI)
	MOVOA X4, 48(DI)
	ADDQ  $64, DI
	SUBQ  $64, DX
	JNE   sse2loop64

sse2tail:
	ANDQ $63, CX
	CMPQ CX, $16
	JLT  tail

sse2loop16:
	MOVOA (DI), X1
	PXOR  X0, X1
	MOVOA X1, (DI)
	ADDQ  $16, DI
	SUBQ  $16, CX
	CMPQ  CX, $16
	JGE   sse2loop16

tail:
	// Fewer than 32 octets are left; the key's phase only moves in the
	// last two pieces.
	TESTQ $16, CX
	JEQ   tail8
	XORQ  AX, (DI)
	XORQ  AX, 8(DI)
	ADDQ  $16, DI

tail8:
	TESTQ $8, CX
	JEQ   tail4
	XORQ  AX, (DI)
	ADDQ  $8, DI

tail4:
	TESTQ $4, CX
	JEQ   tail2
	XORL  AX, (DI)
	ADDQ  $4, DI

tail2:
	TESTQ $2, CX
	JEQ   tail1
	XORW  AX, (DI)
	RORQ  $16, AX
	ADDQ  $2, DI

tail1:
	TESTQ $1, CX
	JEQ   done
	XORB  AX, (DI)

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
