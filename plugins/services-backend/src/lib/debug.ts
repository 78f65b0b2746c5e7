/**
 * Tools images a debug container may run when `containerCloud.services.debug.images` says
 * nothing: network tools (tcpdump, dig, curl, redis and mysql clients) and a small shell.
 */
export const DEFAULT_DEBUG_IMAGES = ['nicolaka/netshoot:v0.13', 'busybox:1.36'];
