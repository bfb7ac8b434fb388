// SPDX-License-Identifier: GPL-2.0
/*
 * lr_pngcount FILE.png: "<non-background> <total>" pixels of a screenshot, on stdout;
 * the background is the colour of the top-left pixel. The browser test (tests/browser/
 * run.sh) fails an empty render with it. Read with libpng. Exit 2: not a PNG.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	png_image img;
	unsigned char *px;
	size_t i, n, diff = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: lr_pngcount FILE.png\n");
		return 2;
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, argv[1])) {
		fprintf(stderr, "lr_pngcount: %s: %s\n", argv[1], img.message);
		return 2;
	}
	img.format = PNG_FORMAT_RGBA;
	n = (size_t)img.width * img.height;
	px = malloc(PNG_IMAGE_SIZE(img));
	if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
		fprintf(stderr, "lr_pngcount: %s: %s\n", argv[1], img.message);
		return 2;
	}
	for (i = 1; i < n; i++)
		diff += memcmp(px + 4 * i, px, 4) != 0;
	printf("%zu %zu\n", diff, n);
	free(px);
	return 0;
}
