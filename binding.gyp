{
  "targets": [
    {
      "target_name": "initlab_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/cpu.cc",
        "native/src/isa-avx512.cc",
        "native/src/isa-avx2.cc",
        "native/src/isa-sse2.cc",
        "native/src/isa-generic.cc"
      ],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc": ["-std=gnu++17"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-fno-math-errno"],
        "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17"
      }
    }
  ]
}
