#ifndef CPNG_WRITER_H
#define CPNG_WRITER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How hard zlib works: previews favour speed, archives size.
typedef enum {
    CPNG_FAST = 0,     ///< Up row filter, zlib run-length strategy at level 1: previews
    CPNG_STANDARD = 1  ///< zlib level 6 with libpng's adaptive row filters
} cpng_compression;

/// Encodes a grey (channels 1) or RGB (channels 3) image of 8- or 16-bit samples as PNG in memory.
/// 16-bit samples are native-endian uint16_t. No gAMA chunk is written, so 16-bit grey is shown with the same
/// transfer curve as 8-bit grey (libpng's simplified API would mark 16-bit data as linear light).
/// On success returns 1 and sets *out_data (free with cpng_free) and *out_size; on failure returns 0 and writes
/// libpng's message into `error`. libpng's longjmp error handling stays inside this C function.
int cpng_encode(uint32_t width, uint32_t height, int channels, int bit_depth, const void *pixels,
                cpng_compression compression, unsigned char **out_data, size_t *out_size, char *error,
                size_t error_size);

/// Decodes a PNG from memory exactly as stored: no gamma or colour conversion. Palette images become RGB, grey
/// below 8 bits becomes 8-bit, alpha is dropped. 16-bit samples come back native-endian. On success returns 1 and
/// sets the size, channels (1 or 3), bit depth (8 or 16) and *out_samples (free with cpng_free).
int cpng_decode(const unsigned char *data, size_t size, uint32_t *width, uint32_t *height, int *channels,
                int *bit_depth, unsigned char **out_samples, char *error, size_t error_size);

/// zlib's CRC-32 (as PNG chunks use), continuing from `crc` (0 to start).
uint32_t cpng_crc32(uint32_t crc, const unsigned char *bytes, size_t count);

/// Frees a buffer returned by cpng_encode or cpng_decode.
void cpng_free(unsigned char *data);

#ifdef __cplusplus
}
#endif

#endif
