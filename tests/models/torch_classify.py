"""classify's PyTorch twin: the same model as models/classify/classify.cpp, with the same
state_dict names, for the parity fixtures (make_parity_fixtures.py).

Bytes -> tok_emb -> (+ pos_emb, pre-LN Transformer blocks with a key padding mask, ln_f) or a
bidirectional LSTM -> attention pooling (pool.key, tanh, pool.score, softmax over the real
positions, weighted sum) -> head.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedSelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, mask):
        B, T, d = x.shape
        q, k, v = self.qkv(x).reshape(B, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        weights = scores.softmax(-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(B, T, d)), weights


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.attn = MaskedSelfAttention(d, heads)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.mlp = nn.Module()
        self.mlp.fc = nn.Linear(d, mlp)
        self.mlp.proj = nn.Linear(mlp, d)

    def forward(self, x, mask):
        y, weights = self.attn(self.ln1(x), mask)
        x = x + y
        return x + self.mlp.proj(F.gelu(self.mlp.fc(self.ln2(x)))), weights


class Classify(nn.Module):
    """forward(text [B, L] bytes, mask [B, L] bool) -> logits [B, classes], attention [B, L]."""

    def __init__(self, context=256, width=64, heads=4, layers=2, mlp=128, hidden=64, attention=64, classes=4,
                 encoder="transformer"):
        super().__init__()
        self.encoder = encoder
        self.tok_emb = nn.Embedding(256, width)
        if encoder == "transformer":
            self.pos_emb = nn.Embedding(context, width)
            self.blocks = nn.ModuleList(Block(width, heads, mlp) for _ in range(layers))
            self.ln_f = nn.LayerNorm(width, eps=1e-5)
            features = width
        else:
            self.lstm = nn.LSTM(width, hidden, batch_first=True, bidirectional=True)
            features = 2 * hidden
        self.pool = nn.Module()
        self.pool.key = nn.Linear(features, attention)
        self.pool.score = nn.Linear(attention, 1)
        self.head = nn.Linear(features, classes)

    def forward(self, text, mask):
        if self.encoder == "transformer":
            h = self.tok_emb(text) + self.pos_emb(torch.arange(text.shape[1]))
            for block in self.blocks:
                h, _ = block(h, mask)
            h = self.ln_f(h)
        else:
            h, _ = self.lstm(self.tok_emb(text))
        scores = self.pool.score(torch.tanh(self.pool.key(h))).squeeze(-1)
        weights = scores.masked_fill(~mask, float("-inf")).softmax(-1)
        return self.head((weights.unsqueeze(1) @ h).squeeze(1)), weights
