#!/usr/bin/env python3
"""Generates the PyTorch parity fixtures of tests/models/: for each reference model at a small
configuration, the weights, inputs, expected logits, attention, loss and every parameter's
gradient, computed by shared/bench/torch_models.py (classify: its twin, torch_classify.py) in float64 and stored as f32 safetensors.

  /usr/bin/python3 tests/models/make_parity_fixtures.py [--bench ../shared/bench] [--out tests/models/fixtures]

The files are committed, so the tests need no PyTorch. Tensor names in each file:
  param.<state_dict name>, input.<name>, output.logits, output.attention, output.loss,
  grad.<state_dict name>; __metadata__ holds the model name and its configuration as JSON.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def save(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        value = tensors[name].detach().cpu().numpy() if isinstance(tensors[name], torch.Tensor) else tensors[name]
        is_int = np.issubdtype(value.dtype, np.integer) or value.dtype == np.bool_
        # ascontiguousarray makes 0-d arrays 1-d; keep the scalar shape.
        array = np.ascontiguousarray(value, dtype="<i4" if is_int else "<f4").reshape(value.shape)
        blob = array.tobytes()
        header[name] = {"dtype": "I32" if is_int else "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    os.replace(path + ".tmp", path)


def record(model, inputs, logits, attention, loss, config, name, out):
    loss.backward()
    tensors = {f"input.{k}": v for k, v in inputs.items()}
    tensors.update({f"param.{k}": v for k, v in model.state_dict().items()})
    tensors.update({f"grad.{k}": p.grad for k, p in model.named_parameters()})
    tensors.update({"output.logits": logits, "output.attention": attention, "output.loss": loss.reshape(())})
    save(os.path.join(out, f"{name}.safetensors"), tensors, {"model": name.split("-")[0], "config": json.dumps(config)})
    print(f"{name}: {len(tensors)} tensors, loss {loss.item():.6f}")


def seq2seq(tm, kind, out):
    torch.manual_seed(1)
    B, S, T, E, He, Hd, A = 3, 9, 5, 8, 6, 10, 7
    model = tm.Seq2Seq(kind)
    model.encoder = tm.Encoder(vocab=64, emb=E, hidden=He)
    model.bridge = nn.Linear(2 * He, Hd)
    model.attention = tm.AdditiveAttention(dec_dim=Hd, enc_dim=2 * He, att_dim=A, kind=kind)
    model.decoder = tm.Decoder(vocab=16, emb=E, enc_dim=2 * He, hidden=Hd)
    model = model.double().eval()  # eval: hard attention without Gumbel noise, so heed can match it
    lengths = [9, 6, 3]
    src = torch.zeros(B, S, dtype=torch.long)
    for b, n in enumerate(lengths):
        src[b, :n] = torch.randint(1, 42, (n,))
    mask = src != 0
    tgt_out = torch.randint(3, 14, (B, T))
    tgt_out[2, 3:] = 0  # padding that the loss ignores
    tgt_in = torch.cat([torch.full((B, 1), 1), tgt_out[:, :-1]], dim=1)
    logits, attention = model(src, mask, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, 16), tgt_out.reshape(-1), ignore_index=0)
    config = {"source_vocab": 64, "target_vocab": 16, "source_length": S, "target_length": T, "embedding": E,
              "encoder_hidden": He, "decoder_hidden": Hd, "attention": A, "scoring": kind}
    inputs = {"source": src, "source_mask": mask.double(), "target_in": tgt_in, "target_out": tgt_out}
    record(model, inputs, logits, attention, loss, config, f"seq2seq-{kind}", out)


def charlm(tm, out):
    torch.manual_seed(2)
    config = {"vocab": 256, "context": 12, "width": 16, "heads": 2, "layers": 2, "mlp": 24}
    model = tm.CharLM(vocab=256, context=12, d=16, heads=2, layers=2, mlp=24).double()
    tokens = torch.randint(0, 256, (2, 12))
    targets = torch.randint(0, 256, (2, 12))
    logits, attention = model(tokens)
    loss = F.cross_entropy(logits.reshape(-1, 256), targets.reshape(-1))
    record(model, {"tokens": tokens, "targets": targets}, logits, attention, loss, config, "charlm", out)


def vit(tm, out):
    torch.manual_seed(3)
    config = {"image": 28, "patch": 7, "width": 16, "heads": 2, "layers": 2, "mlp": 24, "classes": 10}
    model = tm.ViT(d=16, heads=2, layers=2, mlp=24, classes=10, patches=16, patch=7).double()
    images = torch.randn(2, 1, 28, 28, dtype=torch.float64)
    labels = torch.tensor([3, 7])
    logits, attention = model(images)
    loss = F.cross_entropy(logits, labels)
    record(model, {"images": images.reshape(2, 28, 28), "labels": labels}, logits, attention, loss, config, "vit", out)


def classify(encoder, out):
    from torch_classify import Classify
    torch.manual_seed(4)
    config = {"context": 10, "width": 16, "heads": 2, "layers": 2, "mlp": 24, "hidden": 8, "attention": 12,
              "encoder": encoder, "labels": ["a", "b", "c"]}
    model = Classify(context=10, width=16, heads=2, layers=2, mlp=24, hidden=8, attention=12, classes=3, encoder=encoder)
    for parameter in model.parameters():  # away from init zeros, so every gradient is exercised
        parameter.data.normal_(0, 0.3)
    model = model.double()
    lengths = [10, 7, 2]
    text = torch.zeros(3, 10, dtype=torch.long)
    for b, n in enumerate(lengths):
        text[b, :n] = torch.randint(1, 256, (n,))
    mask = text != 0
    labels = torch.tensor([2, 0, 1])
    logits, attention = model(text, mask)
    loss = F.cross_entropy(logits, labels)
    inputs = {"text": text, "text_mask": mask.double(), "labels": labels}
    record(model, inputs, logits, attention, loss, config, f"classify-{encoder}", out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default=os.path.join(here, "..", "..", "..", "shared", "bench"))
    parser.add_argument("--out", default=os.path.join(here, "fixtures"))
    args = parser.parse_args()
    sys.path.insert(0, args.bench)
    import torch_models as tm
    torch.set_default_dtype(torch.float64)
    os.makedirs(args.out, exist_ok=True)
    for kind in ("additive", "general", "hard"):
        seq2seq(tm, kind, args.out)
    charlm(tm, args.out)
    vit(tm, args.out)
    sys.path.insert(0, here)
    for encoder in ("transformer", "bilstm"):
        classify(encoder, args.out)


if __name__ == "__main__":
    main()
