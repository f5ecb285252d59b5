"""A plugin that is only a link, declared with ``preau.link_plugin`` (tests/test_plugin_manifest.py)."""

from preau import Profile, link_plugin

cantine_menu = link_plugin(
    "cantine_menu", "Menus de la cantine", "https://menus.example/{uai}", version="2.1.0", editor="Ville",
    theme="Vie scolaire", icon="utensils",
    colour="#2f6f3e", profiles=(Profile.RELATIVE, Profile.STUDENT), access_label="Voir les menus",
    launch_urls={"relative": "https://menus.example/parents/{uai}"})
