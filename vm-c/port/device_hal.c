/* The HAL (hal.h) of every firmware that speaks the link protocol: the VM's
 * syscalls, node calls and storage go to the request handler (device.c),
 * whose alky_device is the VM's user pointer. A separate file because the
 * host test driver (host/alky_run.c) links the same core with a HAL of its
 * own. */
#include "device.h"
#include "hal.h"
#if ALKY_SMARTLOCK_DRIVERS
#include "smartlock.h"
#endif

alky_status alky_hal_syscall(alky_vm *vm, uint8_t imp, const uint8_t *args, uint8_t *result) {
#if ALKY_SMARTLOCK_DRIVERS
    /* Reported first, then the lock or buzzer driven (smartlock.h). */
    alky_status s = alky_device_syscall((alky_device *)vm->user, imp, args, result);
    alky_smartlock_syscall(vm, imp);
    return s;
#else
    return alky_device_syscall((alky_device *)vm->user, imp, args, result);
#endif
}

#if ALKY_WITH_NCALL
/* NODE_CALL, then wait for NODE_ANSWER (device.h); no answer within the
 * timeout traps. Ticks count only the waits in which no byte came. */
alky_status alky_hal_ncall(alky_vm *vm, uint8_t imp, const uint8_t *args, uint8_t *result) {
    alky_device *d = (alky_device *)vm->user;
    uint16_t idle = 0;
    alky_device_ncall_begin(d, imp, args);
    while (idle < ALKY_NCALL_TIMEOUT_TICKS) {
        int16_t byte = alky_device_port_read();
        if (byte < 0) idle++;
        else {
            uint8_t s = alky_device_ncall_receive(d, (uint8_t)byte, result);
            if (s != ALKY_DEVICE_NCALL_WAITING) return s;
        }
    }
    return ALKY_FAULT_TRAP;
}
#endif

#if ALKY_WITH_STORAGE
void alky_hal_storage_read(alky_vm *vm, uint16_t addr, uint8_t *dst, uint8_t length) {
    alky_device_storage_read((alky_device *)vm->user, addr, dst, length);
}

void alky_hal_storage_write(alky_vm *vm, uint16_t addr, const uint8_t *src, uint8_t length) {
    alky_device_storage_write((alky_device *)vm->user, addr, src, length);
}
#endif
