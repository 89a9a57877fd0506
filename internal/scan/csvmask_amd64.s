#include "textflag.h"

// MASKS16 compares the 16 bytes at off(SI) with the patterns in X1 (quote),
// X2 (separator), X3 ('\n') and X4 ('\r') and ORs the four 16-bit masks,
// shifted left by shift, into R8, R9, R10 and R11.
#define MASKS16(off, shift) \
	MOVOU off(SI), X0; \
	MOVOU X0, X5; \
	PCMPEQB X1, X5; \
	PMOVMSKB X5, AX; \
	SHLQ $shift, AX; \
	ORQ AX, R8; \
	MOVOU X0, X5; \
	PCMPEQB X2, X5; \
	PMOVMSKB X5, AX; \
	SHLQ $shift, AX; \
	ORQ AX, R9; \
	MOVOU X0, X5; \
	PCMPEQB X3, X5; \
	PMOVMSKB X5, AX; \
	SHLQ $shift, AX; \
	ORQ AX, R10; \
	PCMPEQB X4, X0; \
	PMOVMSKB X0, AX; \
	SHLQ $shift, AX; \
	ORQ AX, R11

// func blockMasksSSE2(b *byte, sep byte) (q, s, n, r uint64)
TEXT ·blockMasksSSE2(SB), NOSPLIT, $0-48
	MOVQ b+0(FP), SI
	MOVBQZX sep+8(FP), AX
	MOVQ $0x0101010101010101, CX
	IMULQ CX, AX
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ $0x0a0a0a0a0a0a0a0a, AX
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3
	MOVQ $0x0d0d0d0d0d0d0d0d, AX
	MOVQ AX, X4
	PUNPCKLQDQ X4, X4
	XORQ R8, R8
	XORQ R9, R9
	XORQ R10, R10
	XORQ R11, R11
	MASKS16(0, 0)
	MASKS16(16, 16)
	MASKS16(32, 32)
	MASKS16(48, 48)
	MOVQ R8, q+16(FP)
	MOVQ R9, s+24(FP)
	MOVQ R10, n+32(FP)
	MOVQ R11, r+40(FP)
	RET
