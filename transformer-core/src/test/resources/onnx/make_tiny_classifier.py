"""Writes tiny-bert-classifier.onnx and tiny-bert-classifier.json, the fixture of OnnxBertImportTest.

A two-layer BERT sequence classifier written out in PyTorch with Hugging Face's module and parameter
names (bert.embeddings..., bert.encoder.layer.N..., bert.pooler.dense, classifier), exported by
torch.onnx at opset 17 (where a layer norm is one LayerNormalization operator and the classifier a
Gemm), with its logits for a padded batch. The import must rebuild the weights and config from the
graph alone, and jbert's forward on them must give these logits.

Run with PyTorch 1.13 (Debian's python3-torch): python3 make_tiny_classifier.py
"""
import json, math
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
VOCAB, HIDDEN, LAYERS, HEADS, INTER, POS, TYPES, LABELS, EPS = 40, 16, 2, 4, 32, 12, 2, 3, 1e-12


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN)
        self.position_embeddings = nn.Embedding(POS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(TYPES, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=EPS)

    def forward(self, ids, types):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.word_embeddings(ids) + self.token_type_embeddings(types) + self.position_embeddings(positions)
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x, mask_add):
        b, s, _ = x.shape
        d = HIDDEN // HEADS
        split = lambda t: t.view(b, s, HEADS, d).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + mask_add
        context = torch.matmul(scores.softmax(-1), v)
        return context.permute(0, 2, 1, 3).reshape(b, s, HIDDEN)


class Dense(nn.Module):
    def __init__(self, n_in, n_out, norm):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)
        if norm:
            self.LayerNorm = nn.LayerNorm(n_out, eps=EPS)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = Dense(HIDDEN, HIDDEN, True)

    def forward(self, x, mask_add):
        return self.output.LayerNorm(self.output.dense(self.self(x, mask_add)) + x)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Dense(HIDDEN, INTER, False)
        self.output = Dense(INTER, HIDDEN, True)

    def forward(self, x, mask_add):
        a = self.attention(x, mask_add)
        return self.output.LayerNorm(self.output.dense(F.gelu(self.intermediate.dense(a))) + a)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = Encoder()
        self.pooler = Dense(HIDDEN, HIDDEN, False)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = Bert()
        self.classifier = nn.Linear(HIDDEN, LABELS)

    def forward(self, input_ids, attention_mask, token_type_ids):
        mask_add = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.bert.embeddings(input_ids, token_type_ids)
        for layer in self.bert.encoder.layer:
            x = layer(x, mask_add)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        return self.classifier(pooled)


model = Classifier().eval()
with torch.no_grad():
    for p in model.parameters():  # LayerNorm weights away from 1, biases away from 0
        p.add_(0.1 * torch.randn_like(p))
ids = torch.tensor([[2, 7, 19, 33, 5, 3, 0, 0], [2, 11, 4, 3, 25, 30, 9, 3]])
mask = torch.tensor([[1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]])
types = torch.tensor([[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]])
with torch.no_grad():
    logits = model(ids, mask, types)
torch.onnx.export(model, (ids, mask, types), "tiny-bert-classifier.onnx", opset_version=17,
                  input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                  dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids"]})
json.dump({"torch": torch.__version__, "opset": 17, "input_ids": ids.tolist(), "attention_mask": mask.tolist(),
           "token_type_ids": types.tolist(), "logits": logits.tolist(),
           "config": {"vocab_size": VOCAB, "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
                      "intermediate_size": INTER, "max_position_embeddings": POS, "type_vocab_size": TYPES,
                      "num_labels": LABELS, "layer_norm_eps": EPS, "hidden_act": "gelu"}},
          open("tiny-bert-classifier.json", "w"), indent=1)
