"""The demo programmes in English: a title for every demo title, and what each kind of
activity tells an English reader."""

# The English title of every demo title above and below, shown on English pages.
TITLES_EN = {
    # Jiangnan Culture Lecture Hall topics
    "吴文化的源与流": "The Wu Culture: Its Sources and Currents",
    "苏州园林中的造园智慧": "The Art of Garden-Making in Suzhou's Classical Gardens",
    "昆曲六百年": "Six Hundred Years of Kunqu Opera",
    "评弹艺术漫谈": "On the Art of Pingtan Storytelling",
    "江南运河与城市变迁": "The Grand Canal and the Changing Cities of Jiangnan",
    "苏绣：针尖上的江南": "Suzhou Embroidery: Jiangnan at the Tip of a Needle",
    "吴门画派与明代文人": "The Wumen School of Painting and the Ming Literati",
    "江南藏书楼的故事": "Stories of Jiangnan's Private Libraries",
    "苏州方言里的文化密码": "The Culture Hidden in the Suzhou Dialect",
    "太湖流域的稻作文明": "Rice Farming Civilisation around Lake Tai",
    "江南古镇的保护与新生": "Jiangnan's Water Towns: Preservation and Renewal",
    "宋锦与丝绸之路": "Song Brocade and the Silk Road",
    "苏式生活美学": "The Suzhou Art of Living",
    "明清苏州的刻书业": "Book Printing in Ming and Qing Suzhou",
    "江南诗词中的山水": "Landscapes in the Poetry of Jiangnan",
    "香山帮建筑技艺": "The Building Craft of the Xiangshan Guild",
    "苏州碑刻里的城市记忆": "Memories of the City in Suzhou's Stone Inscriptions",
    "江南饮食文化谈": "Food and Culture in Jiangnan",
    "桃花坞木版年画": "Taohuawu Woodblock New Year Prints",
    "江南文化与长三角一体化": "Jiangnan Culture and the Integrated Yangtze River Delta",
    # exhibitions
    "江南文脉——苏州古籍善本展": "The Jiangnan Tradition: Rare Books of Suzhou",
    "丝路江南——国际文化交流图片展": "Jiangnan on the Silk Road: Photographs of Cultural Exchange",
    "吴门烟水——苏州历史影像展": "Mist over Wumen: Historical Photographs of Suzhou",
    "书香世界——全球图书馆建筑之美": "A World of Books: Beautiful Library Buildings",
    "百年征程 初心如磐——党史文献展": "A Century's Journey: Documents of Party History",
    "江南书香——馆藏精品展": "Jiangnan Book Culture: Treasures of the Collection",
    # centenary activities
    "百年党史中的苏州印记": "Suzhou in a Century of Party History",
    "红色经典诵读会": "Reading Aloud from the Red Classics",
    "红色电影展映：《建国大业》": "Red Film Screening: The Founding of a Republic",
    "党史学习教育读书班（第一期）": "Party History Reading Class (Part 1)",
    "“百年风华”党史知识竞赛（初赛）": "A Century of Splendour: Party History Quiz (First Round)",
    "从南湖红船到新时代：百年大党的初心": "From the Red Boat on South Lake to the New Era",
    "少年儿童红色故事会": "Red Stories for Children",
    "红色电影展映：《觉醒年代》选集": "Red Film Screening: Episodes from The Age of Awakening",
    "党史学习教育读书班（第二期）": "Party History Reading Class (Part 2)",
    "“百年风华”党史知识竞赛（决赛）": "A Century of Splendour: Party History Quiz (Final)",
    "苏州地下党的斗争岁月": "The Years of Suzhou's Underground Party",
    "银龄红色家书诵读": "Seniors Read Red Family Letters",
    "红色电影展映：《红海行动》": "Red Film Screening: Operation Red Sea",
    "红色经典中的江南": "Jiangnan in the Red Classics",
    "“学党史、悟思想”线上研学": "Learning Party History: An Online Study Course",
    "“庆祝建党100周年”亲子共读": "Celebrating the Centenary: Parents and Children Read Together",
    "红色主题少儿绘画比赛": "Children's Painting Contest on Red Themes",
    "党的百年奋斗与江南发展": "A Century of the Party and the Growth of Jiangnan",
    "红色电影展映：《英雄儿女》": "Red Film Screening: Heroic Sons and Daughters",
    "党史学习教育读书班（第三期）": "Party History Reading Class (Part 3)",
    "视障读者红色经典有声阅读会": "Red Classics Read Aloud for Blind and Partially Sighted Readers",
    "百年党史中的青年力量": "Young People in a Century of Party History",
    "红色诗词朗诵大赛": "Red Poetry Recitation Contest",
    "红色电影展映：《我和我的祖国》": "Red Film Screening: My People, My Country",
    "档案里的苏州解放": "The Liberation of Suzhou in the Archives",
    "“读懂中国共产党”线上读书会": "Understanding the Communist Party of China: An Online Book Club",
    "红色绘本故事会": "Red Picture-Book Story Time",
    "从苏州看全面建成小康社会": "Moderate Prosperity for All, Seen from Suzhou",
    "党史知识线上挑战赛": "Online Party History Challenge",
    # weekly activities
    "绘本故事会": "Picture-Book Story Time",
    "银龄讲堂：健康生活与阅读": "Seniors' Lecture: Healthy Living and Reading",
    "平江读书沙龙": "Pingjiang Book Salon",
    "少儿科学实验工作坊": "Science Experiments for Children",
    "老年人智能手机课堂": "Smartphone Class for Seniors",
    "周五电影之夜": "Friday Film Night",
    "馆藏精品展导览": "Guided Tour of the Collection Treasures",
    "亲子共读时光": "Reading Time for Parents and Children",
    "青少年古籍修复体验": "Repairing Old Books: A Workshop for Teens",
}
# What each kind of activity tells an English reader after its title.
ABOUT_EN = {
    "lecture": "A talk for readers. Free; please register in advance.",
    "exhibition": "Free admission, no booking needed; closed on Mondays.",
    "guided_tour": "A guided tour of the exhibition. Free; please register in advance.",
    "reading": "A reading for all who love books. Free; please register in advance.",
    "film": "A film screening in the library. Free; please register in advance.",
    "contest": "Readers of every age are welcome to take part.",
    "study_session": "A study session with shared reading and discussion.",
    "workshop": "A hands-on workshop. Free; please register in advance.",
}
CENTENARY_TITLE_EN = "Centenary of the Communist Party of China: Red Culture Activities"
CENTENARY_ABOUT_EN = (
    "2021 is the centenary of the Communist Party of China. Suzhou Library holds lectures, "
    "exhibitions, readings, film screenings, contests and study sessions at the Renmin Road "
    "Library, the Suzhou Second Library and the branches."
)


def english(title: str, kind: str) -> dict[str, str]:
    """The English title and a short English description of a demo activity."""
    title_en = TITLES_EN[title]
    return {"title_en": title_en, "description_en": f"{title_en}. {ABOUT_EN[kind]}"}
