#ifndef PHOTOCODEC_H
#define PHOTOCODEC_H
// The C codec's public interface (placeholder until the codec lands).
int pc_version(void);
#endif
