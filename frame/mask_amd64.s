//go:build !purego

#include "textflag.h"

// func maskVector(k uint64, b []byte)
//
// Masks b, at least 32 octets long, with k, the key word of b[0]'s phase
// (see keyWord), in three parts that write with vector stores only:
//
//   - the body, from the first address aligned to the vector size to the
//     last whole vector before the end of b: with AVX2 (if ·useAVX2) 128
//     octets per iteration, then 32; with SSE2 64, then 16;
//   - the head, one unaligned vector at b[0], and the tail, one unaligned
//     vector ending at the end of b, each loaded before the body is masked
//     and stored after it.
//
// The head, the body and the tail may overlap one another; where they do
// they store the same octets, the original ones XORed with the key at the
// same phase. So the result is as if each octet were masked once.
//
// With AVX2, when b[0] is aligned, as the start of a large buffer from make
// usually is, there is no head: the body starts at b[0] with k itself and
// stops before the vector that the tail covers. That saves a load, a store
// and the body key's setup, about 10% of the time at 1 KiB.
//
// Registers: DI start of b, SI end of b, R8 start of the tail, R9 start of
// the body, R10 length of the body; AX, BX, DX the key words of the head,
// the body and the tail.
TEXT ·maskVector(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), AX
	MOVQ b_base+8(FP), DI
	MOVQ b_len+16(FP), R10
	LEAQ (DI)(R10*1), SI

	// The tail's key: k advanced by len(b)-size octets, that is, by
	// len(b) mod 4 since the vector size is a multiple of 4.
	MOVQ R10, CX
	ANDQ $3, CX
	SHLQ $3, CX
	MOVQ AX, DX
	RORQ CX, DX

	CMPB ·useAVX2(SB), $0
	JEQ  sse2

	LEAQ         -32(SI), R8
	VMOVQ        AX, X1
	VPBROADCASTQ X1, Y1
	VMOVQ        DX, X2
	VPBROADCASTQ X2, Y2
	VPXOR        (R8), Y2, Y6 // tail

	// b[0] aligned: no head, and the body is the whole vectors before
	// the last octet.
	MOVQ  DI, R9
	TESTQ $31, DI
	JNE   avx2head
	DECQ  R10
	ANDQ  $-32, R10
	JMP   avx2body

avx2head:
	VPXOR (DI), Y1, Y5 // head, with k still in Y1
	LEAQ  31(DI), R9
	ANDQ  $-32, R9
	MOVQ  SI, R10
	SUBQ  R9, R10
	ANDQ  $-32, R10

	// The body's key: k advanced by R9-DI octets.
	MOVQ         R9, CX
	SUBQ         DI, CX
	SHLQ         $3, CX
	MOVQ         AX, BX
	RORQ         CX, BX
	VMOVQ        BX, X1
	VPBROADCASTQ X1, Y1

avx2body:
	MOVQ R10, CX
	ANDQ $-128, CX
	JEQ  avx2body32

	// The loop is 62 bytes: aligned, it is fetched as one 64-byte line.
	// Across two, as the linker may put it otherwise, it ran about 4%
	// slower at 1 KiB.
	PCALIGN $64

avx2body128:
	VPXOR   (R9), Y1, Y3
	VPXOR   32(R9), Y1, Y4
	VPXOR   64(R9), Y1, Y7
	VPXOR   96(R9), Y1, Y8
	VMOVDQA Y3, (R9)
	VMOVDQA Y4, 32(R9)
	VMOVDQA Y7, 64(R9)
	VMOVDQA Y8, 96(R9)
	ADDQ    $128, R9
	SUBQ    $128, CX
	JNE     avx2body128

avx2body32:
	ANDQ $127, R10
	JEQ  avx2ends

avx2loop32:
	VPXOR   (R9), Y1, Y3
	VMOVDQA Y3, (R9)
	ADDQ    $32, R9
	SUBQ    $32, R10
	JNE     avx2loop32

	// The head, if any, then the tail: the other order made masking the
	// same short misaligned payload over again slower.
avx2ends:
	TESTQ   $31, DI
	JEQ     avx2tail
	VMOVDQU Y5, (DI)

avx2tail:
	VMOVDQU Y6, (R8)
	VZEROUPPER
	RET

sse2:
	LEAQ -16(SI), R8
	LEAQ 15(DI), R9
	ANDQ $-16, R9
	MOVQ SI, R10
	SUBQ R9, R10
	ANDQ $-16, R10

	MOVQ R9, CX
	SUBQ DI, CX
	SHLQ $3, CX
	MOVQ AX, BX
	RORQ CX, BX

	MOVQ       AX, X0
	PUNPCKLQDQ X0, X0
	MOVQ       BX, X1
	PUNPCKLQDQ X1, X1
	MOVQ       DX, X2
	PUNPCKLQDQ X2, X2
	MOVOU      (DI), X5 // head
	PXOR       X0, X5
	MOVOU      (R8), X6 // tail
	PXOR       X2, X6

	MOVQ R10, CX
	ANDQ $-64, CX
	JEQ  sse2body16

sse2body64:
	MOVOA (R9), X3
	MOVOA 16(R9), X4
	MOVOA 32(R9), X7
	MOVOA 48(R9), X8
	PXOR  X1, X3
	PXOR  X1, X4
	PXOR  X1, X7
	PXOR  X1, X8
	MOVOA X3, (R9)
	MOVOA X4, 16(R9)
	MOVOA X7, 32(R9)
	MOVOA X8, 48(R9)
	ADDQ  $64, R9
	SUBQ  $64, CX
	JNE   sse2body64

sse2body16:
	ANDQ $63, R10
	JEQ  sse2ends

sse2loop16:
	MOVOA (R9), X3
	PXOR  X1, X3
	MOVOA X3, (R9)
	ADDQ  $16, R9
	SUBQ  $16, R10
	JNE   sse2loop16

sse2ends:
	MOVOU X5, (DI)
	MOVOU X6, (R8)
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
