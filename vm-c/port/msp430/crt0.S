; Reset code for the MSP430G2553 when built with clang + ld.lld: Debian has no
; msp430 libc or crt0, so this file is the whole start-up. It runs before any C:
; no stack, watchdog still armed (it would reset the chip after ~32 ms at 1 MHz).
;
; Symbols it relies on come from msp430g2553.ld: __stack_top, __data_start,
; __data_end, __data_load_start, __bss_start, __bss_end.

	.section .text.crt0,"ax",@progbits

; Placed first in flash (0xC000) on purpose: the linker script fills every
; unused interrupt vector with this address, so a stray interrupt lands here
; and a debugger/simulator can stop on the symbol instead of running wild.
	.global alky_unexpected_interrupt
	.type alky_unexpected_interrupt,@function
alky_unexpected_interrupt:
	jmp	alky_unexpected_interrupt

	.global _start
	.type _start,@function
_start:
	mov	#__stack_top, r1
	mov	#0x5a80, &0x0120	; WDTCTL = WDTPW | WDTHOLD

	; .data: copy the initial values from flash to RAM, byte by byte because
	; the section may have an odd size.
	mov	#__data_load_start, r12
	mov	#__data_start, r13
	mov	#__data_end, r14
1:	cmp	r14, r13
	jc	2f
	mov.b	@r12+, r15		; (clang's assembler rejects @rN+ with an indexed destination)
	mov.b	r15, 0(r13)
	inc	r13
	jmp	1b

	; .bss: zero it (RAM powers up with garbage; mspdebug sim fills 0xFF).
2:	mov	#__bss_start, r13
	mov	#__bss_end, r14
3:	cmp	r14, r13
	jc	4f
	mov.b	#0, 0(r13)
	inc	r13
	jmp	3b

4:	call	#main

; main returned: park here. mspdebug's "setbreak done" stops a run on it.
	.global done
	.type done,@function
done:
	jmp	done

; The reset vector (slot 15 = 0xFFFE, see the linker script).
	.section __interrupt_vector_15,"a",@progbits
	.short	_start
