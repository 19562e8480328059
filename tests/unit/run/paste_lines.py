"""The pasted command lines the paste tests share: real lines in the style of the documentation of common AI
images (PyTorch, TensorFlow, Jupyter, Triton, vLLM, Ollama, text-generation-inference), the seed's lines, one
for every option the Run form has, and the bad input each must refuse with a sentence at the word.

Each line says what the form must hold after it (a few RunSpec fields), what must be named as left out, and
whether tests/engine/test_paste_agreement.py can run it on the test engine (`agree`: only local images once the
image is swapped for the test busybox, host paths under $HOME, $PWD or ., nothing the engine lacks such as an
NVIDIA runtime or /dev/kfd, no pull)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec

HOME = "/home/me"
FOLDER = "/home/me/project"
TOKEN = "hf_FAKEtokenFAKEtokenFAKEtoken1234"
ENVIRON = {
    "HOME": HOME,
    "HF_TOKEN": TOKEN,
    "TESTDATA": f"{HOME}/serving/testdata",
    "token": TOKEN,
    "volume": f"{HOME}/data",
    "model": "HuggingFaceH4/zephyr-7b-beta",
}
COMPUTE_UTILITY = ("compute", "utility")


def everywhere(container, host="", protocol="tcp"):
    """A -p row as the CLI publishes it without an address: on every interface."""
    return PortSpec(container, host, protocol, all_interfaces=True)


def bind(source, target, read_only=False):
    return MountSpec("bind", source, target, read_only)


def volume(source, target, read_only=False):
    return MountSpec("volume", source, target, read_only)


ALL_GPUS = GpuSpec(GpuMode.ALL)


@dataclass(frozen=True)
class Line:
    text: str
    expect: dict = field(default_factory=dict)  # RunSpec field -> value
    dropped: tuple[str, ...] = ()  # a piece of each sentence naming what is left out
    agree: bool = True  # run by tests/engine/test_paste_agreement.py
    forgiven: bool = False  # bash would read it otherwise: a slip Portside forgives (a space after a \\)

    @property
    def id(self) -> str:
        return plain_id(self.text)


def plain_id(text: str) -> str:
    """A test id of plain characters: brackets, colons, backslashes and quotes in an id break `pytest <node id>`,
    which the mutation benchmark uses to run one test again."""
    return re.sub(r"[^A-Za-z0-9._/=+-]+", "-", text).strip("-")[:70] or "empty"


LINES = (
    # --- the seed ---
    Line("docker run -p 5000:80 my-ai-app", {"image": "my-ai-app", "ports": (everywhere("80", "5000"),)}),
    Line(
        "docker run -it --rm -p 5000:80 --name my-ai-app-test my-ai-app",
        {"name": "my-ai-app-test", "interactive_tty": True, "auto_remove": True},
    ),
    # --- PyTorch ---
    Line(
        "docker run --gpus all -it --rm pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime",
        {"gpus": ALL_GPUS, "interactive_tty": True, "auto_remove": True},
    ),
    Line("docker run --gpus all --rm -ti --ipc=host pytorch/pytorch:latest", {"gpus": ALL_GPUS}, ("--ipc host",)),
    Line(
        "docker run --gpus all -it --rm -v local_dir:/workspace/data nvcr.io/nvidia/pytorch:24.01-py3",
        {"mounts": (volume("local_dir", "/workspace/data"),)},
    ),
    Line(
        "docker run --gpus all -it --rm --shm-size=1g --ulimit memlock=-1 --ulimit stack=67108864 "
        "nvcr.io/nvidia/pytorch:24.01-py3",
        {"shm_size": "1g"},
        ("--ulimit memlock=-1", "--ulimit stack=67108864"),
    ),
    Line(
        "nvidia-docker run --rm -ti --ipc=host pytorch/pytorch:latest",
        {"gpus": ALL_GPUS, "interactive_tty": True},
        ("--ipc host",),
        agree=False,  # nvidia-docker is not installed here
    ),
    Line(
        "docker run --gpus all -p 8888:8888 -v $(pwd):/workspace -w /workspace pytorch/pytorch:latest "
        "jupyter lab --ip=0.0.0.0 --allow-root",
        {
            "workdir": "/workspace",
            "mounts": (bind(FOLDER, "/workspace"),),
            "command": "jupyter lab --ip=0.0.0.0 --allow-root",
        },
    ),
    Line(
        'docker run --rm -it --init --gpus=all --ipc=host --user=1000:1000 --volume="$PWD:/app" '
        "-e NVIDIA_VISIBLE_DEVICES=0 anibali/pytorch python3 main.py",
        {"user": "1000:1000", "mounts": (bind(FOLDER, "/app"),), "env": (EnvVar("NVIDIA_VISIBLE_DEVICES", "0"),)},
        ("--init", "--ipc host"),
    ),
    # --- TensorFlow ---
    Line("docker run -it --rm tensorflow/tensorflow bash", {"command": "bash", "interactive_tty": True}),
    Line(
        'docker run --gpus all -it --rm tensorflow/tensorflow:latest-gpu python -c "import tensorflow as tf; '
        'print(tf.reduce_sum(tf.random.normal([1000, 1000])))"',
        {
            "command": "python -c 'import tensorflow as tf; print(tf.reduce_sum(tf.random.normal([1000, 1000])))'",
        },
    ),
    Line(
        "docker run -it --rm -v $PWD:/tmp -w /tmp tensorflow/tensorflow python ./script.py",
        {"mounts": (bind(FOLDER, "/tmp"),), "workdir": "/tmp", "command": "python ./script.py"},
    ),
    Line("docker run -it -p 8888:8888 tensorflow/tensorflow:latest-jupyter", {"ports": (everywhere("8888", "8888"),)}),
    Line(
        'docker run -t --rm -p 8501:8501 -v "$TESTDATA/saved_model_half_plus_two_cpu:/models/half_plus_two" '
        "-e MODEL_NAME=half_plus_two tensorflow/serving",
        {
            "interactive_tty": False,
            "mounts": (bind(f"{HOME}/serving/testdata/saved_model_half_plus_two_cpu", "/models/half_plus_two"),),
        },
        ("-t without -i",),
    ),
    Line(
        "docker run --runtime=nvidia -p 8501:8501 --mount type=bind,source=/tmp/tfserving/serving/testdata/"
        "saved_model_half_plus_two_gpu,target=/models/half_plus_two -e MODEL_NAME=half_plus_two -t "
        "tensorflow/serving:latest-gpu",
        {
            "gpus": ALL_GPUS,
            "mounts": (bind("/tmp/tfserving/serving/testdata/saved_model_half_plus_two_gpu", "/models/half_plus_two"),),
        },
        ("-t without -i",),
        agree=False,  # no NVIDIA runtime on the test engine
    ),
    Line(
        "docker run -it --rm --gpus all -p 8888:8888 -v $(pwd):/tf/notebooks tensorflow/tensorflow:latest-gpu-jupyter",
        {"mounts": (bind(FOLDER, "/tf/notebooks"),)},
    ),
    # --- Jupyter ---
    Line(
        "docker run -p 10000:8888 quay.io/jupyter/scipy-notebook:2024-05-27", {"ports": (everywhere("8888", "10000"),)}
    ),
    Line(
        'docker run -it --rm -p 8888:8888 -v "${PWD}":/home/jovyan/work quay.io/jupyter/datascience-notebook:2024-05-27',
        {"mounts": (bind(FOLDER, "/home/jovyan/work"),)},
    ),
    Line(
        "docker run -d -p 8888:8888 -e JUPYTER_TOKEN=letmein --name notebook jupyter/base-notebook",
        {"name": "notebook", "env": (EnvVar("JUPYTER_TOKEN", "letmein"),)},
    ),
    Line(
        "docker run -it --rm -p 8888:8888 -e GRANT_SUDO=yes --user root quay.io/jupyter/base-notebook",
        {"user": "root", "env": (EnvVar("GRANT_SUDO", "yes"),)},
    ),
    Line(
        'docker run --rm -p 8888:8888 -e JUPYTER_ENABLE_LAB=yes -v "$PWD":/home/jovyan/work '
        "jupyter/datascience-notebook:latest",
        {"mounts": (bind(FOLDER, "/home/jovyan/work"),)},
    ),
    Line(
        "docker run --rm -p 8888:8888 -e NB_UID=1000 -e NB_GID=100 --user root -v /home/me/work:/home/jovyan/work "
        "quay.io/jupyter/minimal-notebook",
        {
            "env": (EnvVar("NB_UID", "1000"), EnvVar("NB_GID", "100")),
            "mounts": (bind("/home/me/work", "/home/jovyan/work"),),
        },
    ),
    Line(
        "docker run -it --rm -p 8888:8888 `\n  -v ${PWD}:/home/jovyan/work `\n  quay.io/jupyter/scipy-notebook",
        {"mounts": (bind(FOLDER, "/home/jovyan/work"),), "interactive_tty": True},
    ),
    Line(
        "docker run -it --rm -p 8888:8888 ^\n  -v %cd%:/home/jovyan/work ^\n  quay.io/jupyter/scipy-notebook",
        {"mounts": (bind(FOLDER, "/home/jovyan/work"),), "ports": (everywhere("8888", "8888"),)},
    ),
    # --- Triton ---
    Line(
        "docker run --gpus=1 --rm -p8000:8000 -p8001:8001 -p8002:8002 "
        "-v/full/path/to/docs/examples/model_repository:/models nvcr.io/nvidia/tritonserver:24.01-py3 "
        "tritonserver --model-repository=/models",
        {
            "gpus": GpuSpec(GpuMode.COUNT, count=1),
            "ports": tuple(everywhere(port, port) for port in ("8000", "8001", "8002")),
            "mounts": (bind("/full/path/to/docs/examples/model_repository", "/models"),),
        },
        agree=False,  # a host path outside the test's folders
    ),
    Line(
        "docker run --gpus all --rm --net=host -v ${PWD}/model_repository:/models "
        "nvcr.io/nvidia/tritonserver:24.01-py3 tritonserver --model-repository=/models",
        {"mounts": (bind(f"{FOLDER}/model_repository", "/models"),)},
        ("--net host",),
    ),
    Line("docker run -it --rm --net=host nvcr.io/nvidia/tritonserver:24.01-py3-sdk", {}, ("--net host",)),
    Line(
        "docker run --rm --shm-size=1g --ulimit memlock=-1 --ulimit stack=67108864 --gpus all -p 8000:8000 "
        "-p 8001:8001 -p 8002:8002 -v $(pwd)/model_repository:/models nvcr.io/nvidia/tritonserver:24.01-py3 "
        "tritonserver --model-repository=/models --log-verbose=1",
        {"shm_size": "1g", "command": "tritonserver --model-repository=/models --log-verbose=1"},
        ("--ulimit memlock=-1", "--ulimit stack=67108864"),
    ),
    Line(
        "docker run --gpus '\"device=0,1\"' --rm -p 8000-8002:8000-8002 nvcr.io/nvidia/tritonserver:24.01-py3 "
        "tritonserver --model-repository=/models",
        {
            "gpus": GpuSpec(GpuMode.CHOSEN, device_ids=("0", "1")),
            "ports": (everywhere("8000-8002", "8000-8002"),),
        },
    ),
    # --- vLLM ---
    Line(
        "docker run --runtime nvidia --gpus all \\\n"
        "    -v ~/.cache/huggingface:/root/.cache/huggingface \\\n"
        '    --env "HUGGING_FACE_HUB_TOKEN=<secret>" \\\n'
        "    -p 8000:8000 \\\n"
        "    --ipc=host \\\n"
        "    vllm/vllm-openai:latest \\\n"
        "    --model mistralai/Mistral-7B-v0.1",
        {
            "gpus": ALL_GPUS,
            "env": (EnvVar("HUGGING_FACE_HUB_TOKEN", "<secret>"),),
            "mounts": (bind(f"{HOME}/.cache/huggingface", "/root/.cache/huggingface"),),
            "command": "--model mistralai/Mistral-7B-v0.1",
        },
        ("--ipc host", "NVIDIA runtime"),
        agree=False,  # --runtime nvidia: no such runtime on the test engine
    ),
    Line(
        'docker run --gpus all -v ~/.cache/huggingface:/root/.cache/huggingface --env "HF_TOKEN=$HF_TOKEN" '
        "-p 8000:8000 --ipc=host vllm/vllm-openai:v0.6.0 --model meta-llama/Meta-Llama-3-8B-Instruct "
        "--tensor-parallel-size 2",
        {"env": (EnvVar("HF_TOKEN", TOKEN),)},
        ("--ipc host",),
    ),
    Line(
        "docker run --gpus all --shm-size 16g -p 8000:8000 -e HF_TOKEN -v $HOME/.cache/huggingface:/root/.cache/"
        "huggingface vllm/vllm-openai --model Qwen/Qwen2-7B-Instruct --max-model-len 8192",
        {"env": (EnvVar("HF_TOKEN", TOKEN),), "shm_size": "16g"},
    ),
    Line(
        "sudo docker run -d --gpus '\"device=0\"' --name vllm -p 127.0.0.1:8000:8000 vllm/vllm-openai:latest "
        "--model facebook/opt-125m",
        {"gpus": GpuSpec(GpuMode.CHOSEN, device_ids=("0",)), "ports": (PortSpec("8000", "8000"),), "name": "vllm"},
    ),
    Line(
        "docker run --device /dev/kfd --device /dev/dri --group-add video --security-opt seccomp=unconfined "
        "-p 8000:8000 rocm/vllm:latest",
        {"ports": (everywhere("8000", "8000"),)},
        ("--device /dev/kfd", "--device /dev/dri", "--group-add video", "--security-opt seccomp=unconfined"),
        agree=False,  # no /dev/kfd here
    ),
    Line(
        "HF_TOKEN=hf_xxx docker run --gpus all -e HF_TOKEN -p 8000:8000 vllm/vllm-openai:latest --model google/gemma-2b",
        {"env": (EnvVar("HF_TOKEN", "hf_xxx"),)},
    ),
    # --- Ollama and Open WebUI ---
    Line(
        "docker run -d -v ollama:/root/.ollama -p 11434:11434 --name ollama ollama/ollama",
        {"mounts": (volume("ollama", "/root/.ollama"),), "ports": (everywhere("11434", "11434"),), "name": "ollama"},
    ),
    Line(
        "docker run -d --gpus=all -v ollama:/root/.ollama -p 11434:11434 --name ollama ollama/ollama",
        {"gpus": ALL_GPUS},
    ),
    Line(
        "docker run -d --device /dev/kfd --device /dev/dri -v ollama:/root/.ollama -p 11434:11434 --name ollama "
        "ollama/ollama:rocm",
        {"name": "ollama"},
        ("--device /dev/kfd", "--device /dev/dri"),
        agree=False,
    ),
    Line(
        "docker run -d -p 3000:8080 --add-host=host.docker.internal:host-gateway -v open-webui:/app/backend/data "
        "--name open-webui --restart always ghcr.io/open-webui/open-webui:main",
        {"restart": "always", "mounts": (volume("open-webui", "/app/backend/data"),)},
        ("--add-host host.docker.internal:host-gateway",),
    ),
    Line(
        "docker run -d -p 3000:8080 --gpus all --add-host=host.docker.internal:host-gateway "
        "-v open-webui:/app/backend/data --name open-webui --restart always ghcr.io/open-webui/open-webui:cuda",
        {"gpus": ALL_GPUS, "restart": "always"},
        ("--add-host",),
    ),
    Line(
        "docker run -d --network=host -v open-webui:/app/backend/data -e OLLAMA_BASE_URL=http://127.0.0.1:11434 "
        "--name open-webui --restart always ghcr.io/open-webui/open-webui:main",
        {"env": (EnvVar("OLLAMA_BASE_URL", "http://127.0.0.1:11434"),)},
        ("--network host",),
    ),
    Line(
        "docker run -d --gpus=all -v ollama:/root/.ollama -p 11434:11434 -e OLLAMA_KEEP_ALIVE=24h "
        "-e OLLAMA_HOST=0.0.0.0 --name ollama --restart unless-stopped ollama/ollama:0.3.0",
        {"restart": "unless-stopped", "env": (EnvVar("OLLAMA_KEEP_ALIVE", "24h"), EnvVar("OLLAMA_HOST", "0.0.0.0"))},
    ),
    # --- text-generation-inference and friends ---
    Line(
        "model=HuggingFaceH4/zephyr-7b-beta\n"
        "volume=$PWD/data # share a volume with the container to avoid downloading weights every run\n"
        "\n"
        "docker run --gpus all --shm-size 1g -p 8080:80 -v $volume:/data \\\n"
        "    ghcr.io/huggingface/text-generation-inference:2.0 --model-id $model",
        {
            "mounts": (bind(f"{FOLDER}/data", "/data"),),
            "command": "--model-id HuggingFaceH4/zephyr-7b-beta",
            "shm_size": "1g",
            "ports": (everywhere("80", "8080"),),
        },
    ),
    Line(
        "docker run --gpus all --shm-size 1g -e HF_TOKEN=$token -p 8080:80 -v $volume:/data "
        "ghcr.io/huggingface/text-generation-inference:2.2.0 --model-id $model --quantize bitsandbytes",
        {"env": (EnvVar("HF_TOKEN", TOKEN),), "mounts": (bind(f"{HOME}/data", "/data"),)},
    ),
    Line(
        "docker run --rm --entrypoint text-generation-launcher ghcr.io/huggingface/text-generation-inference:latest "
        "--help",
        {"entrypoint": "text-generation-launcher", "command": "--help"},
    ),
    Line(
        "docker run --gpus '\"device=0\"' --shm-size 1g -p 8080:80 -v /data/models:/data "
        "ghcr.io/huggingface/text-generation-inference:1.4 --model-id tiiuae/falcon-7b-instruct --num-shard 1",
        {"mounts": (bind("/data/models", "/data"),)},
        agree=False,  # a host path outside the test's folders
    ),
    Line(
        "docker run --cap-add=sys_nice --ipc=host --runtime=habana -e HABANA_VISIBLE_DEVICES=all -p 8080:80 "
        "-v $volume:/data ghcr.io/huggingface/tgi-gaudi:2.0.1 --model-id $model",
        {"env": (EnvVar("HABANA_VISIBLE_DEVICES", "all"),)},
        ("--cap-add sys_nice", "--ipc host", "--runtime habana"),
        agree=False,  # no Habana runtime here
    ),
    Line(
        "docker run --gpus all -p 8080:80 -v $volume:/data --pull always "
        "ghcr.io/huggingface/text-embeddings-inference:1.5 --model-id $model",
        {"ports": (everywhere("80", "8080"),)},
        ("--pull always",),
        agree=False,  # --pull always: no registry to pull from here
    ),
    # --- CUDA, the NVIDIA Container Toolkit, other AI tools ---
    Line(
        "docker container run --rm -it -e CUDA_VISIBLE_DEVICES=0 --gpus all nvidia/cuda:12.4.1-base-ubuntu22.04 "
        "nvidia-smi",
        {"command": "nvidia-smi", "env": (EnvVar("CUDA_VISIBLE_DEVICES", "0"),)},
    ),
    Line("docker run --rm --gpus all nvidia/cuda:11.8.0-base-ubuntu22.04 nvidia-smi", {"gpus": ALL_GPUS}),
    Line(
        "sudo docker run --rm --runtime=nvidia --gpus all ubuntu nvidia-smi",
        {"gpus": ALL_GPUS},
        ("NVIDIA runtime",),
        agree=False,
    ),
    Line(
        "docker create --name trainer --gpus 2 -v /data:/data:ro -m 32g --cpus 8 --shm-size 8g "
        "nvcr.io/nvidia/pytorch:24.01-py3 python train.py --epochs 10",
        {
            "gpus": GpuSpec(GpuMode.COUNT, count=2),
            "mounts": (bind("/data", "/data", read_only=True),),
            "memory": "32g",
            "cpus": "8",
            "shm_size": "8g",
        },
        agree=False,  # a host path outside the test's folders, and more CPUs than the test engine may have
    ),
    Line(
        "docker run -dit --name llama -p 8080:8080 -v ~/models:/models ghcr.io/ggerganov/llama.cpp:server "
        "-m /models/llama-2-7b.Q4_K_M.gguf -c 2048 --host 0.0.0.0 --port 8080",
        {"interactive_tty": True, "command": "-m /models/llama-2-7b.Q4_K_M.gguf -c 2048 --host 0.0.0.0 --port 8080"},
    ),
    Line(
        "docker run --gpus all -p 7860:7860 --restart=on-failure:3 -e GRADIO_SERVER_NAME=0.0.0.0 "
        "registry.hf.space/stabilityai-stable-diffusion:latest python app.py",
        {"restart": "on-failure", "restart_max_retries": 3},
    ),
    Line(
        "docker run -d --name label-studio -p 8080:8080 -v $(pwd)/mydata:/label-studio/data "
        "heartexlabs/label-studio:latest",
        {"mounts": (bind(f"{FOLDER}/mydata", "/label-studio/data"),)},
    ),
    Line(
        "docker run -d -p 6333:6333 -p 6334:6334 -v $(pwd)/qdrant_storage:/qdrant/storage:z qdrant/qdrant",
        {"mounts": (bind(f"{FOLDER}/qdrant_storage", "/qdrant/storage"),)},
        (":z option",),
    ),
    Line(
        "docker run -d --name mlflow -p 5000:5000 -v mlruns:/mlruns ghcr.io/mlflow/mlflow:v2.14.1 mlflow server "
        "--host 0.0.0.0",
        {"command": "mlflow server --host 0.0.0.0"},
    ),
    Line(
        'docker run --rm -it --mount type=bind,source="$(pwd)"/data,target=/data,readonly -w /data '
        "python:3.11-slim python -m http.server 8000",
        {"mounts": (bind(f"{FOLDER}/data", "/data", read_only=True),), "workdir": "/data"},
    ),
    Line(
        "docker run --rm -v ./models:/models -e MODEL_PATH=/models/model.onnx -p 8001:8001 "
        "mcr.microsoft.com/onnxruntime/server --model_path /models/model.onnx",
        {"mounts": (bind(f"{FOLDER}/models", "/models"),)},
    ),
    Line(
        'docker run -it --rm -v "$HOME/.cache/huggingface:/root/.cache/huggingface" -e HF_HOME=/root/.cache/'
        'huggingface huggingface/transformers-pytorch-gpu python3 -c "from transformers import pipeline; '
        "print(pipeline('sentiment-analysis')('hi'))\"",
        {"mounts": (bind(f"{HOME}/.cache/huggingface", "/root/.cache/huggingface"),)},
    ),
    Line(
        "docker run --mount type=volume,src=models,dst=/models,volume-nocopy --gpus 'all,\"capabilities=compute,"
        "utility,video\"' -it ffmpeg-cuda",
        {
            "mounts": (volume("models", "/models"),),
            "gpus": GpuSpec(GpuMode.ALL, capabilities=("compute", "utility", "video")),
        },
        ("volume-nocopy",),
    ),
    # --- every option the form has, long and short, both spellings of a value ---
    Line(
        "docker run -d -p 0.0.0.0:9090:9090 --restart unless-stopped --label com.example.team=ml --label tier=serving "
        "prom/prometheus",
        {"ports": (PortSpec("9090", "0.0.0.0:9090"),), "labels": (("com.example.team", "ml"), ("tier", "serving"))},
    ),
    Line("docker run --rm -P --name web -l app=demo nginx:alpine", {"publish_all": True, "labels": (("app", "demo"),)}),
    Line(
        "docker run --rm -it --privileged --pid=host justincormack/nsenter1",
        {"privileged": True},
        ("--pid host",),
    ),
    Line(
        "docker run -d -p [::1]:8080:80 -p 127.0.0.1::443 -p 53:53/udp -p 8125:8125/UDP --name dns-web nginx",
        {
            "ports": (
                PortSpec("80", "[::1]:8080"),
                PortSpec("443", ""),
                everywhere("53", "53", "udp"),
                everywhere("8125", "8125", "udp"),
            )
        },
        agree=False,  # the test engine may have no IPv6 loopback to publish on
    ),
    Line(
        'docker run --rm -e "GREETING=hello, world" -e EMPTY= -l note="two words" --entrypoint /bin/sh busybox '
        "-c 'echo \"$GREETING\"'",
        {
            "env": (EnvVar("GREETING", "hello, world"), EnvVar("EMPTY", "")),
            "labels": (("note", "two words"),),
            "entrypoint": "/bin/sh",
            "command": "-c 'echo \"$GREETING\"'",
        },
    ),
    Line(
        "docker run --name=api --workdir=/srv/app --user=1000:1000 --memory=512m --cpus=1.5 --shm-size=256m "
        "--interactive --tty --publish=8000:8000 --env=MODE=prod --volume=api-cache:/cache --label=role=api "
        "--restart=on-failure --privileged=false --rm=false --publish-all=false python:3.12 python -m api",
        {
            "name": "api",
            "workdir": "/srv/app",
            "user": "1000:1000",
            "memory": "512m",
            "cpus": "1.5",
            "shm_size": "256m",
            "interactive_tty": True,
            "env": (EnvVar("MODE", "prod"),),
            "mounts": (volume("api-cache", "/cache"),),
            "labels": (("role", "api"),),
            "restart": "on-failure",
            "auto_remove": False,
        },
    ),
    Line(
        "docker run --detach --publish 8080:80 --volume web-data:/usr/share/nginx/html:ro --env TZ=UTC "
        "--label owner=ml --restart on-failure --workdir /srv -w /usr/share/nginx/html -u 101 -m 1g "
        "--memory 2g --publish-all --mount type=bind,src=$HOME/site,dst=/site,ro=true nginx",
        {
            "mounts": (
                volume("web-data", "/usr/share/nginx/html", read_only=True),
                bind(f"{HOME}/site", "/site", True),
            ),
            "workdir": "/usr/share/nginx/html",
            "user": "101",
            "memory": "2g",
            "publish_all": True,
        },
    ),
    Line(
        "docker run -e=A=1 -eB=2 -l=x=y -p=7000:7000 -p7001:7001 -v=/srv:/srv:rw -itP -w=/w -u=0 -m=64m "
        "--gpus=count=2,capabilities=utility --entrypoint=sh busybox -c true",
        {
            "env": (EnvVar("A", "1"), EnvVar("B", "2")),
            "labels": (("x", "y"),),
            "ports": (everywhere("7000", "7000"), everywhere("7001", "7001")),
            "mounts": (bind("/srv", "/srv"),),
            "interactive_tty": True,
            "publish_all": True,
            "workdir": "/w",
            "user": "0",
            "memory": "64m",
            "gpus": GpuSpec(GpuMode.COUNT, count=2, capabilities=("utility",)),
            "entrypoint": "sh",
        },
        agree=False,  # binds /srv of the host
    ),
    Line(
        "docker -H unix:///var/run/docker.sock run --rm busybox true",
        {"command": "true", "auto_remove": True},
        ("-H unix:///var/run/docker.sock",),
        agree=False,  # the test engine may answer elsewhere
    ),
    Line(
        "$ docker run -i -t --rm --interactive=true ubuntu:22.04 bash  # a shell in Ubuntu",
        {"interactive_tty": True, "command": "bash"},
    ),
    Line(
        "export HF_TOKEN=hf_fromexport\ndocker run -e HF_TOKEN -v ~/hf:/root/.cache/huggingface --restart=no busybox",
        {"env": (EnvVar("HF_TOKEN", "hf_fromexport"),), "restart": "no"},
    ),
    Line(
        '$env:HF_TOKEN = "hf_frompowershell"\ndocker run -e HF_TOKEN -e T=$env:HF_TOKEN busybox',
        {"env": (EnvVar("HF_TOKEN", "hf_frompowershell"), EnvVar("T", "hf_frompowershell"))},
    ),
    Line(
        'docker run --rm -p 8000:8000 ^\n  -e "MODEL=llama 3" ^\n  --name llm-ui busybox',
        {"env": (EnvVar("MODEL", "llama 3"),), "name": "llm-ui"},
    ),
    Line(
        "docker run --gpus all --rm -v $HOME/.ollama:/root/.ollama -p 11434:11434 \\  \n  ollama/ollama",
        {"mounts": (bind(f"{HOME}/.ollama", "/root/.ollama"),)},
        forgiven=True,
    ),
)

# Bad input: (line, a piece of the sentence, the word it points at as "Word N" or "Column N").
BAD = (
    ('docker run -e "A=b nginx', "never closed", "Word 4 (column 15)"),
    ("docker build -t my-ai-app .", "docker build", 'Word 2, "build"'),
    ("docker run ubuntu:latest nvcr.io/nvidia/pytorch:24.01-py3", "second image", "Word 4"),
    ("docker run --gpuss all nginx", "Did you mean --gpus?", 'Word 3, "--gpuss" (column 12)'),
    ("docker run --memory 3MB nginx", "at least 6 MB", 'Word 4, "3MB" (column 21)'),
    ("docker run -p 99999:80 nginx", "too high", 'Word 4, "99999:80"'),
    ('docker run --name "my app" nginx', "cannot contain spaces", 'Word 4, "my app"'),
    ("docker run --restart sometimes nginx", "restart policy", 'Word 4, "sometimes"'),
    ("docker run -w app nginx", "absolute path", 'Word 4, "app"'),
    ("docker run --cpus=many nginx", "not a number of CPUs", 'Word 3, "--cpus=many"'),
    ("docker run -it --rm --restart always nginx", "cannot combine --rm", 'Word 6, "always"'),
    ("docker run -v relative/path:/data nginx", "not a valid volume name", "Word 4"),
    ("docker run [options] [image-name]", "placeholder", 'Word 3, "[options]"'),
    ("docker run --gpus device=0,1 nginx", "quote them", "Word 4"),
    ("docker run -it", "no image", "Word 3"),
    ("docker run --rm -u $(id -u):$(id -g) image", "runs a command", "Column 20"),
    ("docker run nginx | tee log.txt", "pipe", "Column 18"),
    ("docker pull nginx && docker run nginx", "second command", "Column 22"),
    ("podman run nginx", "another program", "Word 1"),
    ("docker run –gpus all nginx", "long dash", "Word 3"),
    ("docker run -name web nginx", "Write --name", 'Word 3, "-name"'),
    ("docker create -d nginx", "docker create has no option --detach (-d)", "Word 3"),
    ("docker run --rm=yes nginx", "true or false", "Word 3"),
    ("docker run --restart on-failure:x nginx", "not a number of tries", "Word 4"),
    ("docker run --mount type=bind,src=/data,dest=/data nginx", 'no setting "dest"', "Word 4"),
    ("docker run --help", "only prints", "Word 3"),
    ("docker run -v C:\\models:/models nginx", "Windows path", "Word 4"),
    ("docker run -p localhost:8080:80 nginx", "not an IP address", "Word 4"),
    ("docker run --name", "needs a value", "Word 3"),
    ("docker run -e =oops nginx", "name", "Word 4"),
    ("docker run -v $MODELS:/models nginx", "$MODELS is not set for Portside", "Word 4"),
    ("docker run --workdir app \\\n  -p 8080:80 \\\n  nginx", "absolute path", 'Word 4, "app" (line 1, column 22)'),
    ("docker run -p 8080:80 \\\n  --gpuss all nginx", "no option --gpuss", 'Word 5, "--gpuss" (line 2, column 3)'),
    ("", "no command", ""),
    ("docker run -e “A=b c” nginx", "typographic quote", "Word 4 (column 15)"),
    ("docker run -p '8000 :80' nginx", "without spaces", "Word 4"),
    ("docker run -p 0.0.0.0:9090 prom/prometheus", "not a host port", "Word 4"),
    ('docker run -v "/models:/models\n  -p 8000:8000" nginx', "left open across lines", 'Word 4, "/models:/models'),
    ("docker run 'nginx '", "no spaces", "Word 3"),
    ("docker run --entrypoint 'python -m x' --rm --restart=on-failure:2 nginx", "cannot combine --rm", "Word 6"),
)
