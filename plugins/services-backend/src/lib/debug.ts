import { z } from 'zod';
import { podTargetSchema, containerName } from './validation';

/**
 * Tools images a debug container may run when `containerCloud.services.debug.images` says
 * nothing: network tools (tcpdump, dig, curl, redis and mysql clients) and a small shell.
 */
export const DEFAULT_DEBUG_IMAGES = ['nicolaka/netshoot:v0.13', 'busybox:1.36'];

/** A debug container for one container of one pod, from one of the configured images only. */
export function debugSchema(images: string[]) {
  return podTargetSchema
    .extend({
      container: containerName,
      image: z
        .string()
        .refine(
          image => images.includes(image),
          `a debug container runs one of the configured tools images: ${images.join(
            ', ',
          )}`,
        ),
    })
    .strict();
}
