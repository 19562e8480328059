"""The Learn page's steps, in the order of the seed tutorial's chapters. No Qt.

Each step has a few plain sentences, the exact `docker` command it teaches (with {image}, {repository} and
{container} filled in from the user's own project once there is one), the action its "Do it" button asks the
window for, and how its check mark is earned. The check itself lives in progress: it reads real state, never a
click.
"""

from __future__ import annotations

from dataclasses import dataclass

from gui.core.reference import split_reference

__all__ = [
    "ACTIONS",
    "DEFAULT_NAMES",
    "PRACTICES",
    "PRACTICE_RULES",
    "STEPS",
    "Practice",
    "Step",
    "fill_command",
    "step",
]

# What "Do it" can ask the main window for.
ACTIONS = {
    "engine": "the Engine page",
    "pull": "the Pull dialog",
    "images": "the Images page",
    "wizard": "the Dockerfile wizard",
    "build": "the Build dialog for your project",
    "run": "the Run dialog for your project's image",
    "watch": "your container's charts, or the Monitor page",
    "containers": "the Containers page",
    "tag-push": "the Tag dialog, or the Push dialog once your image has a registry name",
    "editor": "the Dockerfile editor on your project's Dockerfile",
}

# What a command shows before the user has a project of their own (the seed's names).
DEFAULT_NAMES = {"image": "my-ai-app", "repository": "my-ai-app", "container": "CONTAINER"}


@dataclass(frozen=True)
class Practice:
    title: str
    sentence: str
    rules: tuple[str, ...]  # the lint rules (gui.core.dockerfile.rule_table) that check it


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    sentences: tuple[str, ...]  # two to four, one sentence each
    check: str  # what makes it done, in plain words: "Done: ..." / "Not done yet: this step is done when ..."
    command: str = ""  # the docker command(s), one a line; may hold {image}, {repository}, {container}
    example: str = ""  # a file to show instead of a command (the Dockerfile step)
    action: str | None = None  # what "Do it" asks for (a key of ACTIONS); None: a step to read
    action_label: str = ""
    offline: str = ""  # what to do without internet, for a step that needs a registry
    offline_action: str | None = None  # the local path's action, a key of ACTIONS
    offline_label: str = ""
    practices: tuple[Practice, ...] = ()

    @property
    def read_only(self) -> bool:
        """A step with no state to check: done once the user has read it."""
        return self.action is None


PRACTICES = (
    Practice(
        "Start from a slim base image",
        "A slim base, no pip download cache and a .dockerignore keep the image small and quick to move.",
        ("PS001", "PS006", "PS007"),
    ),
    Practice(
        "Build in stages",
        "A multi-stage build compiles in one stage and copies only the results into a small final stage.",
        ("PS002",),
    ),
    Practice(
        "No secrets in the image",
        "Anyone with the image can read its ENV and ARG values: pass keys when the container starts instead.",
        ("PS003",),
    ),
    Practice(
        "Version your images",
        "A base image with a version, and your own image tagged 1.0, 1.1 and so on, build the same thing every "
        "time and let you go back.",
        ("PS004",),
    ),
)
PRACTICE_RULES = frozenset(rule for practice in PRACTICES for rule in practice.rules)

# The seed's sample Dockerfile (chapter 1.3), with the slim base its best practices recommend.
SAMPLE_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 80
CMD ["python", "app.py"]"""

STEPS: tuple[Step, ...] = (
    Step(
        id="what-is-docker",
        title="What Docker is",
        sentences=(
            "An image is a packed-up app: your code, the Python it needs and every library, each at one version.",
            "A container is an image that runs, sharing your machine's kernel instead of starting a whole "
            "operating system like a virtual machine.",
            "AI work uses containers because models need exact versions of libraries like PyTorch, and the same "
            "image gives the same results on every machine.",
        ),
        command="docker images\ndocker ps --all",
        check="you have read this step.",
    ),
    Step(
        id="check-install",
        title="Check the install",
        sentences=(
            "Docker has two parts: the docker command you type, and the engine that does the work in the background.",
            "The first command prints the docker command's version; the second asks the engine about itself, so "
            "it only answers when the engine runs.",
            "Portside checks the engine the same way, and its Engine page says what to do when something is wrong.",
        ),
        command="docker --version\ndocker info",
        action="engine",
        action_label="Open the Engine page",
        check="Portside can talk to the Docker engine.",
    ),
    Step(
        id="get-image",
        title="Get an image",
        sentences=(
            "Every container starts from an image, and docker pull downloads one from a registry such as Docker Hub.",
            "A slim Python image is a good start for an AI app.",
            "Without internet, an image already on this machine works just as well.",
        ),
        command="docker pull python:3.12-slim",
        action="pull",
        action_label="Pull an image",
        offline="No internet is normal here: use an image that is already on this machine.",
        offline_action="images",
        offline_label="See the images already here",
        check="at least one image is on this machine, pulled or already here.",
    ),
    Step(
        id="write-dockerfile",
        title="Write a Dockerfile",
        sentences=(
            "A Dockerfile is the recipe for an image: the base image, the files to copy in, the packages to "
            "install and the command to run.",
            "The wizard writes one for your project folder, or creates a small sample AI app to practise on.",
            "The sample app needs only Python, so it builds without internet.",
        ),
        example=SAMPLE_DOCKERFILE,
        action="wizard",
        action_label="Open the Dockerfile wizard",
        check="your project folder has a Dockerfile.",
    ),
    Step(
        id="build",
        title="Build the image",
        sentences=(
            "docker build reads the Dockerfile and the files beside it (the dot at the end) and makes an image.",
            "The -t option gives the image a name, so you can run it later without typing its id.",
            "Portside shows each build step as it runs, and the failing line when one fails.",
        ),
        command="docker build -t {image} .",
        action="build",
        action_label="Open the Build dialog",
        check="an image built from your project is on this machine.",
    ),
    Step(
        id="run",
        title="Run it and open it in the browser",
        sentences=(
            "docker run starts a container from the image, and -p 5000:80 publishes the container's port 80 on "
            "port 5000 of your machine.",
            "Then open http://localhost:5000 in your browser: the app inside the container answers.",
            "Without -p the app still runs, but nothing outside the container can reach it.",
        ),
        command="docker run -p 5000:80 {image}",
        action="run",
        action_label="Open the Run dialog",
        check="a container of your image runs with a published port that answers in a browser.",
    ),
    Step(
        id="watch",
        title="Watch it work",
        sentences=(
            "docker stats shows how much CPU and memory each running container uses, live.",
            "Portside draws the same numbers as charts, with the GPU's use when the machine has an NVIDIA GPU.",
            "The charts tell you when a model needs more memory than it has.",
        ),
        command="docker stats",
        action="watch",
        action_label="Show its charts",
        check="Portside has measured a running container of your image.",
    ),
    Step(
        id="stop-remove",
        title="Stop and remove",
        sentences=(
            "docker stop asks the app to finish, and ends it after 10 seconds if it has not.",
            "A stopped container still exists with its logs, and docker rm removes it.",
            "The image stays, so you can run it again at any time.",
        ),
        command="docker stop {container}\ndocker rm {container}",
        action="containers",
        action_label="Show it in Containers",
        check="the containers of your image that ran are stopped or removed.",
    ),
    Step(
        id="tag-push",
        title="Tag and push",
        sentences=(
            "To share an image, give it a name that says where it goes: your user name on Docker Hub, or a "
            "registry's address such as 127.0.0.1:5000.",
            "docker push then uploads it, after docker login when the registry asks who you are.",
            "A registry on this machine, at 127.0.0.1, works without internet.",
        ),
        command="docker login\ndocker tag {image} yourusername/{image}\ndocker push yourusername/{image}",
        action="tag-push",
        action_label="Tag or push your image",
        offline="No internet? Push to a registry you run on this machine, for example 127.0.0.1:5000/{image}.",
        check="your image also has a registry or user name and was pushed there.",
    ),
    Step(
        id="best-practices",
        title="Best practices",
        sentences=(
            "Small images build, move and start faster, and images without secrets are safe to share.",
            "Portside's Dockerfile checks look for each practice below, by the rule names shown.",
        ),
        command="docker build -t {repository}:1.0 .",
        action="editor",
        action_label="Check your Dockerfile",
        practices=PRACTICES,
        check="your project's Dockerfile has none of these findings.",
    ),
    Step(
        id="where-next",
        title="Where next",
        sentences=(
            "CI/CD: a build server runs the same docker build and docker push on every change, so each tested "
            "image reaches production the same way.",
            "Kubernetes runs many containers of one image across many machines, restarts those that fail and "
            "adds more when demand grows.",
            "Both start from what you just did: a Dockerfile, an image with a version tag, and a registry.",
        ),
        check="you have read this step.",
    ),
)

_BY_ID = {each.id: each for each in STEPS}


def step(step_id: str) -> Step:
    """The step with this id (KeyError for an unknown one)."""
    return _BY_ID[step_id]


def fill_command(text: str, image: str | None = None, container: str | None = None) -> str:
    """A step's command (or offline note) with the user's own names in it, or the seed's where there are none
    yet. `image` is a reference (my-ai-app:1.0); {repository} is its name without the tag."""
    names = dict(DEFAULT_NAMES)
    if image:
        names["image"] = image
        names["repository"] = split_reference(image)[0]
    if container:
        names["container"] = container
    return text.format(**names)
