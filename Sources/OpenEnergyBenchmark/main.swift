// Decoding benchmark; filled in together with the decoder.
print("openenergy-benchmark: not written yet")
